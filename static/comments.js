/* Comment section: Reply opens the comment form inline under the comment, and a counter shows the room left.
   Everything works without this file: Reply is then a link that opens the form bound to that comment. */
(function () {
  "use strict";
  var section = document.getElementById("comments");
  var respond = document.getElementById("respond");
  var home = document.getElementById("respond-home");
  if (!section || !respond || !home) return;

  var form = respond.querySelector("form");
  var parentInput = respond.querySelector("input[name=parent]");
  var title = respond.querySelector(".respond-title");
  var cancelWrap = respond.querySelector(".cancel-reply-wrap");
  var textarea = respond.querySelector("textarea");
  var counter = respond.querySelector(".comment-length");

  function openReply(link) {
    var slot = document.getElementById("reply-slot-" + link.dataset.commentId);
    if (!slot) return false;
    slot.appendChild(respond);
    parentInput.value = link.dataset.commentId;
    title.textContent = "Reply to " + link.dataset.author;
    cancelWrap.hidden = false;
    if (textarea) textarea.focus();
    return true;
  }

  function cancelReply() {
    home.appendChild(respond);
    parentInput.value = "";
    title.textContent = title.dataset.defaultTitle;
    cancelWrap.hidden = true;
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
})();
