// Live updates of the parts of a page marked for them: a timeline (data-live-stream: the public
// posts, a signed-in visitor's home) and the notifications list (data-live-notifications). The page
// works without this script; it only adds what arrived since the page was loaded, at the top,
// through server-sent events (for a signed-in visitor the website's own relay, authenticated by the
// session cookie: the browser holds no API token). Each new item is the website's own rendering of
// it (fetched), announced politely to screen readers; focus never moves.
(function () {
  'use strict';
  if (typeof EventSource === 'undefined' || typeof DOMParser === 'undefined') return;
  var announcer = document.getElementById('live-announcer');

  function announce(text) {
    if (announcer) announcer.textContent = text;
  }

  // The element with `id` on the page at `path`, as the website renders it for this visitor.
  function fetchRendered(path, id) {
    return fetch(path, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (response) {
        return response.ok ? response.text() : '';
      })
      .then(function (text) {
        if (!text || document.getElementById(id)) return null;
        var element = new DOMParser().parseFromString(text, 'text/html').getElementById(id);
        return element ? document.importNode(element, true) : null;
      })
      .catch(function () {
        // What cannot be fetched now is on the page after a reload.
        return null;
      });
  }

  // The container new items go into, made when the list was still empty.
  function listIn(region, selector, tag, className) {
    var list = region.querySelector(selector);
    if (list) return list;
    list = document.createElement(tag);
    list.className = className;
    var empty = region.querySelector('.empty');
    if (empty) empty.replaceWith(list);
    else region.appendChild(list);
    return list;
  }

  function listen(path, handlers) {
    var source = new EventSource(path);
    Object.keys(handlers).forEach(function (event) {
      source.addEventListener(event, function (message) {
        handlers[event](message.data);
      });
    });
    window.addEventListener('pagehide', function () {
      source.close();
    });
  }

  var feed = document.querySelector('[data-live-stream]');
  if (feed) {
    listen(feed.getAttribute('data-live-stream'), {
      update: function (data) {
        var status;
        try {
          status = JSON.parse(data);
        } catch {
          return;
        }
        var id = 'status-' + status.id;
        if (!status.id || document.getElementById(id)) return;
        var path;
        try {
          path = new URL(status.url, window.location.href).pathname;
        } catch {
          return;
        }
        fetchRendered(path, id).then(function (article) {
          if (!article) return;
          article.classList.remove('focused');
          var list = listIn(feed, '.feed', 'div', 'feed');
          list.insertBefore(article, list.firstChild);
          announce('New post from @' + status.account.acct);
        });
      },
      delete: function (id) {
        var article = document.getElementById('status-' + id);
        if (article && !article.contains(document.activeElement)) article.remove();
      },
    });
  }

  var notifications = document.querySelector('[data-live-notifications]');
  if (notifications) {
    listen(notifications.getAttribute('data-live-notifications'), {
      notification: function (data) {
        var notification;
        try {
          notification = JSON.parse(data);
        } catch {
          return;
        }
        var id = 'notification-' + notification.id;
        if (!notification.id || document.getElementById(id)) return;
        fetchRendered('/notifications', id).then(function (item) {
          if (!item) return;
          var list = listIn(notifications, '.notification-list', 'ol', 'notification-list');
          list.insertBefore(item, list.firstChild);
          var summary = item.querySelector('p');
          announce('New notification: ' + (summary ? summary.textContent.split(' · ')[0] : ''));
        });
      },
    });
  }
})();
