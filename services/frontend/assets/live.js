// Live updates of a timeline the page marks with data-live-stream (the public posts). The page works
// without it: this only adds posts published since it was loaded, at the top, through the streaming
// API's server-sent events. Each new post is the website's own rendering of it (its page, fetched),
// announced politely to screen readers; focus never moves.
(function () {
  'use strict';
  var feed = document.querySelector('[data-live-stream]');
  if (!feed || typeof EventSource === 'undefined' || typeof DOMParser === 'undefined') return;
  var announcer = document.getElementById('live-announcer');
  var source = new EventSource(feed.getAttribute('data-live-stream'));

  function announce(text) {
    if (announcer) announcer.textContent = text;
  }

  function show(status) {
    if (document.getElementById('status-' + status.id)) return;
    var path;
    try {
      path = new URL(status.url, window.location.href).pathname;
    } catch {
      return;
    }
    fetch(path, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (response) {
        return response.ok ? response.text() : '';
      })
      .then(function (text) {
        if (!text || document.getElementById('status-' + status.id)) return;
        var page = new DOMParser().parseFromString(text, 'text/html');
        var article = page.getElementById('status-' + status.id);
        if (!article) return;
        article.classList.remove('focused');
        var list = feed.querySelector('.feed');
        if (!list) {
          list = document.createElement('div');
          list.className = 'feed';
          var empty = feed.querySelector('.empty');
          if (empty) empty.replaceWith(list);
          else feed.appendChild(list);
        }
        list.insertBefore(document.importNode(article, true), list.firstChild);
        announce('New post from @' + status.account.acct);
      })
      .catch(function () {
        // A post that cannot be fetched now is on the page after a reload.
      });
  }

  source.addEventListener('update', function (event) {
    try {
      show(JSON.parse(event.data));
    } catch {
      // Not a status: ignore it.
    }
  });
  source.addEventListener('delete', function (event) {
    var article = document.getElementById('status-' + event.data);
    if (article && !article.contains(document.activeElement)) article.remove();
  });
  window.addEventListener('pagehide', function () {
    source.close();
  });
})();
