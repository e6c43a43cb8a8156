/* Comment section: Reply opens the comment form inline under the comment, and a counter shows the room left.
   Everything works without this file: Reply is then a link that opens the form bound to that comment.
   For keyboard and screen-reader users: Reply moves focus into the form and Cancel back to that Reply link; a
   refused post focuses its error summary; after a post, focus goes to the new comment and the thanks is announced. */
(function () {
  "use strict";

  function focusElement(element) {
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
  }

  // A post the server refused: the summary of what to fix takes focus, and its links go to their fields.
  var summary = document.getElementById("error-summary");
  if (summary) {
    focusElement(summary);
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        field.focus();
      }
    });
  }

  var respond = document.getElementById("respond");
  if (!respond) return;
  var form = respond.querySelector("form");
  var textarea = respond.querySelector("textarea");
  var counter = respond.querySelector(".comment-length");

  if (textarea && counter) {
    var max = parseInt(textarea.dataset.maxLength || textarea.maxLength, 10);
    var update = function () {
      var left = max - textarea.value.length;
      counter.textContent = left < 500 ? left + " characters left" : "";
    };
    textarea.addEventListener("input", update);
    update();
  }

  if (form) {
    // One click, one comment: a double click would otherwise post the same text twice and be refused.
    form.addEventListener("submit", function () {
      var button = form.querySelector("[type=submit]");
      if (button) setTimeout(function () { button.disabled = true; }, 0);
    });
    window.addEventListener("pageshow", function () {
      var button = form.querySelector("[type=submit]");
      if (button) button.disabled = false;
    });
  }

  var section = document.getElementById("comments");
  var home = document.getElementById("respond-home");
  if (!section || !home) return;

  var parentInput = respond.querySelector("input[name=parent]");
  var title = respond.querySelector(".respond-title");
  var cancelWrap = respond.querySelector(".cancel-reply-wrap");
  var announcer = document.getElementById("comment-announcer");
  var replyLink = null;

  function announce(text) {
    if (!announcer) return;
    // A live region speaks when its content changes: empty it first, fill it a moment later.
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 100);
  }

  function firstField() {
    // Name for anonymous readers; the honeypot (tabindex -1) and hidden inputs are never it.
    return form && form.querySelector(
      "input:not([type=hidden]):not([tabindex='-1']):not([disabled]), textarea:not([disabled])"
    );
  }

  function openReply(link) {
    var slot = document.getElementById("reply-slot-" + link.dataset.commentId);
    if (!slot) return false;
    slot.appendChild(respond);
    parentInput.value = link.dataset.commentId;
    title.textContent = "Reply to ";
    var name = document.createElement("bdi");
    name.textContent = link.dataset.author;
    title.appendChild(name);
    cancelWrap.hidden = false;
    replyLink = link;
    var field = firstField();
    if (field) field.focus();
    announce(title.textContent + ": the comment form is open.");
    return true;
  }

  function cancelReply() {
    home.appendChild(respond);
    parentInput.value = "";
    title.textContent = title.dataset.defaultTitle;
    cancelWrap.hidden = true;
    if (replyLink && document.body.contains(replyLink)) replyLink.focus();
    replyLink = null;
    announce("Reply cancelled.");
  }

  section.addEventListener("click", function (event) {
    var reply = event.target.closest("a.comment-reply-link");
    if (reply && openReply(reply)) {
      event.preventDefault();
      return;
    }
    if (event.target.closest("a.cancel-reply") && respond.parentNode !== home && !home.firstElementChild) {
      event.preventDefault();
      cancelReply();
    }
  });

  // Just posted: the page opens at the new comment (#comment-ID); focus it and say what happened.
  var posted = document.querySelector(".alert.comment-posted");
  var match = /^#comment-(\d+)$/.exec(window.location.hash);
  if (posted && match) {
    var comment = document.getElementById("comment-" + match[1]);
    if (comment) focusElement(comment);
    announce(posted.textContent.trim());
  }
})();
