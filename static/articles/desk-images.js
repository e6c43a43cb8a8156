// The photo picker under the editor: upload a photo to this article, insert it into the text at the cursor,
// correct an upload's alt text, caption and credit, or remove an upload the text does not use.
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

    function buildItem(photo) {
      const item = document.createElement("li");
      item.className = "desk-image";
      item.dataset.id = photo.id;
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
      const edit = document.createElement("button");
      edit.type = "button";
      edit.className = "button desk-image-edit";
      edit.textContent = "Edit";
      edit.setAttribute("aria-label", `Edit photo: ${photo.alt}`);
      edit.setAttribute("aria-expanded", "false");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button desk-image-remove";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove photo: ${photo.alt}`);
      item.append(thumb, text, button, edit, remove);
      return item;
    }

    function addToList(photo) {
      const item = buildItem(photo);
      list.prepend(item);
      empty.hidden = true;
      return item.querySelector(".desk-image-insert");
    }

    // --- correcting and removing uploads ---------------------------------------------------------------
    const listStatus = document.getElementById("desk-image-list-status");
    const detailsTemplate = document.getElementById("desk-image-details-template");
    let editing = null; // the <li> whose details are open
    let details = null; // and the boxes under it
    let fields = {};

    function tell(text, problem) {
      listStatus.textContent = text;
      listStatus.classList.toggle("desk-problem", Boolean(problem));
    }

    function photoUrl(item, action) {
      return `${config.imagesUrl}${item.dataset.id}/${action ? `${action}/` : ""}`;
    }

    async function send(url, init) {
      // {status, answer}; status 0 when the request never reached the server.
      let response;
      try {
        response = await fetch(url, {
          method: "POST",
          credentials: "same-origin",
          ...init,
          headers: { "X-CSRFToken": csrfToken(), ...(init.headers || {}) },
        });
      } catch (error) {
        return { status: 0, answer: {} };
      }
      let answer = {};
      try {
        answer = await response.json();
      } catch (error) {
        /* a proxy's error page: the status says enough */
      }
      return { status: response.status, answer };
    }

    function problem(status, answer, what) {
      if (status === 0) return `${what}: offline. Try again when the connection is back.`;
      if (status === 401) return "Your login expired: sign in in another tab, then try again.";
      return `${what}: ${answer.message || `the server answered ${status}`}`;
    }

    function closeDetails(focusEdit) {
      if (!editing) return;
      const item = editing;
      editing = null;
      details.remove();
      details = null;
      fields = {};
      const edit = item.querySelector(".desk-image-edit");
      if (edit) {
        edit.setAttribute("aria-expanded", "false");
        if (focusEdit) edit.focus();
      }
    }

    function openDetails(item) {
      closeDetails(false);
      editing = item;
      details = detailsTemplate.content.firstElementChild.cloneNode(true);
      details.addEventListener("keydown", onDetailsKey);
      const data = item.querySelector(".desk-image-insert").dataset;
      for (const name of ["alt", "caption", "credit"]) {
        fields[name] = details.querySelector(`#desk-image-details-${name}`);
        fields[name].value = data[name] || "";
      }
      item.append(details);
      item.querySelector(".desk-image-edit").setAttribute("aria-expanded", "true");
      fields.alt.focus();
    }

    async function saveDetails() {
      if (!editing) return;
      const item = editing;
      if (!fields.alt.value.trim()) {
        tell("Alt text is required: describe the photo for readers who cannot see it.", true);
        fields.alt.setAttribute("aria-invalid", "true");
        fields.alt.focus();
        return;
      }
      const values = {};
      for (const name of ["alt", "caption", "credit"]) values[name] = fields[name].value;
      tell("Saving…");
      const { status, answer } = await send(photoUrl(item), {
        body: JSON.stringify(values),
        headers: { "Content-Type": "application/json" },
      });
      if (status !== 200) {
        tell(problem(status, answer, "Not saved"), true);
        if (answer.fields && answer.fields.alt) fields.alt.setAttribute("aria-invalid", "true");
        fields.alt.focus();
        return;
      }
      closeDetails(false);
      const fresh = buildItem(answer);
      item.replaceWith(fresh);
      tell(`Saved the details of “${answer.alt}”. Photos already in the text keep their caption.`);
      fresh.querySelector(".desk-image-edit").focus();
    }

    function inEditor(src) {
      // The server checks the saved text and the autosaves; this catches an insert typed since the last autosave.
      const target = bodyEditor();
      if (!target || !src) return false;
      return Array.from(target.view.dom.querySelectorAll("img")).some((img) => img.getAttribute("src") === src);
    }

    async function remove(item) {
      const { alt, src } = item.querySelector(".desk-image-insert").dataset;
      if (inEditor(src)) {
        tell("Not removed: This photo is in the text; take it out of the text first.", true);
        return;
      }
      if (!window.confirm(`Remove the photo “${alt}” from this article? Its files are deleted.`)) return;
      if (editing === item) closeDetails(false);
      tell("Removing…");
      const { status, answer } = await send(photoUrl(item, "remove"), {});
      if (status !== 200) {
        tell(problem(status, answer, "Not removed"), true);
        return;
      }
      // Focus goes to the next photo in the list, else the one before, else the upload box.
      const neighbour = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      empty.hidden = list.children.length > 0;
      tell(`Removed “${alt}”.`);
      if (neighbour) neighbour.querySelector(".desk-image-insert").focus();
      else inputs.file.focus();
    }

    list.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      const item = button && button.closest(".desk-image");
      if (!item || !list.contains(item)) return;
      if (button.classList.contains("desk-image-insert")) insert(fromButton(button));
      else if (button.classList.contains("desk-image-edit")) {
        if (editing === item) closeDetails(true);
        else openDetails(item);
      } else if (button.classList.contains("desk-image-remove")) remove(item);
      else if (button.id === "desk-image-details-save") saveDetails();
      else if (button.id === "desk-image-details-cancel") closeDetails(true);
    });
    function onDetailsKey(event) {
      if (event.key === "Escape") {
        event.preventDefault();
        closeDetails(true);
      } else if (event.key === "Enter" && event.target.tagName === "INPUT") {
        // Enter in these boxes would submit the article form around them.
        event.preventDefault();
        saveDetails();
      }
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
