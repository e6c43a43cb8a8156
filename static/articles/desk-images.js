// The photo picker under the editor: upload a photo to this article, insert it into the text at the cursor.
// Loaded in the head without `defer`: django-prose-editor announces each editor it builds with a
// "prose-editor:ready" event (there is no other way to reach the instance), right after its modules run.
(function () {
  "use strict";
  let editor = null;
  document.addEventListener("prose-editor:ready", (event) => {
    if (event.detail.textarea && event.detail.textarea.name === "body") editor = event.detail.editor;
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  function start() {
    const config = JSON.parse(document.getElementById("desk-config").textContent);
    const form = document.getElementById("article_form");
    const panel = document.getElementById("desk-images");
    if (!form || !panel || !config.imagesUrl) return;
    const list = document.getElementById("desk-image-list");
    const empty = document.getElementById("desk-images-empty");
    const statusLine = document.getElementById("desk-image-status");
    const inputs = {
      file: document.getElementById("desk-image-file"),
      alt: document.getElementById("desk-image-alt"),
      caption: document.getElementById("desk-image-caption"),
      credit: document.getElementById("desk-image-credit"),
    };
    function bodyEditor() {
      return editor && !editor.isDestroyed ? editor : null;
    }

    // Under the editor and its word count, where a reporter looks for it.
    function place() {
      const anchor = document.getElementById("desk-meta") || form.querySelector(".field-body");
      if (anchor && anchor.nextElementSibling !== panel) anchor.after(panel);
    }
    place();
    window.addEventListener("load", place);

    function say(text, problem) {
      statusLine.textContent = text;
      statusLine.classList.toggle("desk-problem", Boolean(problem));
    }

    function csrfToken() {
      const cookie = document.cookie.split("; ").find((row) => row.startsWith("csrftoken="));
      if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
      const input = form.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }

    function insert(photo) {
      const target = bodyEditor();
      if (!target) {
        say("The editor is still loading; try again in a moment.", true);
        return;
      }
      const image = {
        type: "image",
        attrs: { src: photo.src, alt: photo.alt, width: photo.width || null, height: photo.height || null },
      };
      const words = [photo.caption, photo.credit ? `Photo: ${photo.credit}` : ""].filter(Boolean).join(" ");
      const content = [image];
      if (words) content.push({ type: "caption", content: [{ type: "text", text: words }] });
      // focus() puts the cursor back where the reporter left it before pressing the button.
      const done = target.chain().focus().insertContent({ type: "figure", content }).run();
      say(done ? `Inserted “${photo.alt}” into the text.` : "The photo cannot go there; move the cursor.", !done);
    }

    function fromButton(button) {
      const data = button.dataset;
      return {
        src: data.src,
        alt: data.alt,
        width: parseInt(data.width, 10) || null,
        height: parseInt(data.height, 10) || null,
        caption: data.caption || "",
        credit: data.credit || "",
      };
    }

    list.addEventListener("click", (event) => {
      const button = event.target.closest(".desk-image-insert");
      if (button) insert(fromButton(button));
    });

    function addToList(photo) {
      const item = document.createElement("li");
      item.className = "desk-image";
      const thumb = document.createElement("img");
      thumb.src = photo.thumb;
      thumb.alt = "";
      thumb.width = 120;
      thumb.className = "desk-image-thumb";
      const text = document.createElement("span");
      text.className = "desk-image-text";
      const alt = document.createElement("span");
      alt.className = "desk-image-alt";
      alt.textContent = photo.alt;
      text.append(alt);
      if (photo.caption || photo.credit) {
        const caption = document.createElement("span");
        caption.className = "desk-image-caption";
        caption.textContent = [photo.caption, photo.credit ? `Photo: ${photo.credit}` : ""].filter(Boolean).join(" ");
        text.append(caption);
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button desk-image-insert";
      button.textContent = "Insert";
      button.setAttribute("aria-label", `Insert photo: ${photo.alt}`);
      for (const key of ["src", "alt", "width", "height", "caption", "credit"]) button.dataset[key] = photo[key] ?? "";
      item.append(thumb, text, button);
      list.prepend(item);
      empty.hidden = true;
      return button;
    }

    document.getElementById("desk-image-upload").addEventListener("click", async () => {
      const file = inputs.file.files[0];
      if (!file) {
        say("Choose a photo to upload.", true);
        inputs.file.focus();
        return;
      }
      if (!inputs.alt.value.trim()) {
        say("Alt text is required: describe the photo for readers who cannot see it.", true);
        inputs.alt.setAttribute("aria-invalid", "true");
        inputs.alt.focus();
        return;
      }
      inputs.alt.removeAttribute("aria-invalid");
      const body = new FormData();
      body.append("image", file);
      for (const name of ["alt", "caption", "credit"]) body.append(name, inputs[name].value);
      say("Uploading…");
      let response;
      try {
        response = await fetch(config.imagesUrl, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken() },
        });
      } catch (error) {
        say("Not uploaded: offline. Try again when the connection is back.", true);
        return;
      }
      let answer = {};
      try {
        answer = await response.json();
      } catch (error) {
        /* a proxy's error page: the status says enough */
      }
      if (response.status === 401) {
        say("Your login expired: sign in in another tab, then upload again.", true);
        return;
      }
      if (!response.ok) {
        say(`Not uploaded: ${answer.message || `the server answered ${response.status}`}`, true);
        return;
      }
      const button = addToList(answer);
      for (const name of ["file", "alt", "caption", "credit"]) inputs[name].value = "";
      say(`Uploaded “${answer.alt}”. Press its Insert button to place it in the text.`);
      button.focus();
    });
  }
})();
