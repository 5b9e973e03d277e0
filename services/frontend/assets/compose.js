// Live character counter for the compose box. The server-rendered form works without it; this only
// shows, as you type, what the server will count: user-perceived characters, a link counts as 23,
// and a remote mention @user@domain counts as @user.
(function () {
  'use strict';
  var URL_LENGTH = 23;
  var URL_PATTERN = /https?:\/\/[^\s<>"]+/gi;
  var REMOTE_MENTION = /@([A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)@[\p{L}\p{N}\p{M}_.-]+/gu;
  var segmenter =
    typeof Intl !== 'undefined' && Intl.Segmenter
      ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
      : null;

  function graphemes(text) {
    if (!segmenter) return Array.from(text).length;
    var count = 0;
    for (
      var it = segmenter.segment(text)[Symbol.iterator](), step = it.next();
      !step.done;
      step = it.next()
    )
      count++;
    return count;
  }

  function countCharacters(text) {
    var normalized = text.replace(/\r\n?/g, '\n');
    var links = 0;
    var withoutLinks = normalized.replace(URL_PATTERN, function (url) {
      // Sentence punctuation after a link is not part of it.
      var trailing = /[.,;:!?']+$/.exec(url);
      links++;
      return trailing ? trailing[0] : '';
    });
    var local = withoutLinks.replace(REMOTE_MENTION, '@$1');
    return graphemes(local) + links * URL_LENGTH;
  }

  function attach(textarea) {
    var max = Number(textarea.getAttribute('data-max-characters')) || 500;
    var counter = document.getElementById('compose-counter');
    if (!counter) return;
    var update = function () {
      var left = max - countCharacters(textarea.value);
      counter.textContent =
        left >= 0 ? left + ' characters left' : -left + ' characters over the limit';
      counter.classList.toggle('over', left < 0);
    };
    textarea.addEventListener('input', update);
    update();
  }

  document.addEventListener('DOMContentLoaded', function () {
    var boxes = document.querySelectorAll('textarea[data-max-characters]');
    for (var i = 0; i < boxes.length; i++) attach(boxes[i]);
  });
})();
