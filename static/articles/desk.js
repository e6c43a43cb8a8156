// The reporter's desk: word count, autosave (server + this browser), edit-lock heartbeat.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("desk-config").textContent);
  const form = document.getElementById("article_form");
  if (!form) return;
  const statusLine = document.getElementById("desk-autosave-status");
  const wordCount = document.getElementById("desk-word-count");
  const meta = document.getElementById("desk-meta");
  const lockBanner = document.getElementById("desk-lock-banner");
  const field = (name) => form.elements.namedItem(name);
  const IDLE_MS = 3000;
  const HEARTBEAT_MS = 30000;
  let holdsLock = config.holdsLock;
  let lastSent = null;
  let lastChange = 0;
  let retryTimer = null;
  let notBefore = 0; // after a failure, wait before the idle timer tries again
  let inFlight = false;

  // Names for the widgets that come without one: the editor's text area and the autocomplete boxes.
  function labelWidgets() {
    for (const box of form.querySelectorAll(".ProseMirror[contenteditable='true']:not([aria-label])")) {
      box.setAttribute("aria-label", "Body");
      box.setAttribute("role", "textbox");
      box.setAttribute("aria-multiline", "true");
    }
    for (const select of form.querySelectorAll("select.admin-autocomplete")) {
      const label = form.querySelector(`label[for="${select.id}"]`);
      const name = label ? label.textContent.replace(/:$/, "").trim() : select.getAttribute("aria-label") || select.name;
      const container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) continue;
      for (const el of container.querySelectorAll("[role=combobox], [role=textbox], .select2-search__field")) {
        if (el.getAttribute("aria-label") === name) continue;
        el.removeAttribute("aria-labelledby");
        el.setAttribute("aria-label", name);
      }
    }
  }
  labelWidgets();
  document.addEventListener("DOMContentLoaded", () => setTimeout(labelWidgets, 0));
  window.addEventListener("load", labelWidgets);
  setInterval(labelWidgets, 1000);

  // Under the editor, where the words are.
  const bodyRow = form.querySelector(".field-body");
  if (bodyRow && meta) bodyRow.after(meta);

  // The cookie first: signing in again in another tab replaces it, and the copy in the form goes stale.
  function csrfToken() {
    const cookie = document.cookie.split("; ").find((row) => row.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function snapshot() {
    const data = {};
    for (const name of ["headline", "dek", "body"]) {
      const el = field(name);
      data[name] = el ? el.value : "";
    }
    const version = field("opened_version");
    if (version && version.value) data.version = parseInt(version.value, 10);
    return data;
  }

  function countWords() {
    const body = field("body");
    if (!body || !wordCount) return;
    const scratch = document.createElement("div");
    scratch.innerHTML = body.value;
    const words = (scratch.textContent || "").trim().split(/\s+/).filter(Boolean).length;
    const minutes = Math.max(1, Math.round(words / 230));
    wordCount.textContent = `${words} word${words === 1 ? "" : "s"} · ${minutes} min read`;
  }

  function say(text, problem) {
    if (!statusLine) return;
    statusLine.textContent = text;
    statusLine.classList.toggle("desk-problem", Boolean(problem));
  }

  function keepLocal(data) {
    try {
      localStorage.setItem(config.storageKey, JSON.stringify({ ...data, kept: Date.now() }));
    } catch (e) {
      /* private mode or full: the server copy still counts */
    }
  }

  async function autosave({ keepalive = false, force = false } = {}) {
    if (!holdsLock) return;
    const data = snapshot();
    const text = JSON.stringify(data);
    if (!force && text === lastSent) return;
    keepLocal(data);
    clearTimeout(retryTimer);
    if (inFlight && !keepalive) return;
    inFlight = true;
    try {
      const response = await fetch(config.autosaveUrl, {
        method: "POST",
        body: text,
        keepalive,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      });
      if (response.status === 401 || response.status === 403) {
        say("Your login expired: sign in in another tab, your text is kept here.", true);
        notBefore = Date.now() + 5000;
        retryTimer = setTimeout(autosave, 5000);
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const answer = await response.json();
      lastSent = text;
      say(`Saved ${answer.saved}` + (answer.stale ? " (someone saved a newer version since you opened it)" : ""));
    } catch (error) {
      say("Not saved: offline, retrying", true);
      notBefore = Date.now() + 5000;
      retryTimer = setTimeout(autosave, 5000);
    } finally {
      inFlight = false;
    }
  }

  function changed() {
    lastChange = Date.now();
    countWords();
  }

  // The editor writes into the hidden textarea; watching the values catches typing in any field.
  let previous = JSON.stringify(snapshot());
  setInterval(() => {
    const now = JSON.stringify(snapshot());
    if (now !== previous) {
      previous = now;
      changed();
    }
    const idle = Date.now() - lastChange >= IDLE_MS;
    if (lastChange && idle && Date.now() >= notBefore && now !== lastSent) autosave();
  }, 1000);
  form.addEventListener("input", changed);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") autosave({ keepalive: true });
  });
  let submitting = false;
  window.addEventListener("pagehide", () => {
    autosave({ keepalive: true });
    // Closing the page frees the article for others at once; a save reloads it and keeps the lock.
    if (config.lockUrl && holdsLock && !submitting) {
      fetch(config.lockUrl + "?release=1", { method: "POST", keepalive: true, headers: { "X-CSRFToken": csrfToken() } });
    }
  });
  window.addEventListener("online", () => autosave({ force: true }));
  // A real save is on its way: the form carries the text, no autosave should race it.
  form.addEventListener("submit", () => {
    submitting = true;
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) input.value = csrfToken();
    lastSent = JSON.stringify(snapshot());
  });
  countWords();

  // Text this browser kept that the server may never have received (an expired login, a crash offline).
  function offerLocalCopy() {
    let kept;
    try {
      kept = JSON.parse(localStorage.getItem(config.storageKey) || "null");
    } catch (e) {
      return;
    }
    if (!kept || document.getElementById("desk-autosave-offer")) return;
    const current = snapshot();
    if (["headline", "dek", "body"].every((name) => (kept[name] || "") === (current[name] || ""))) return;
    const banner = document.createElement("div");
    banner.className = "desk-banner desk-banner-info";
    banner.setAttribute("role", "region");
    banner.setAttribute("aria-label", "Text kept in this browser");
    const when = new Date(kept.kept).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
    const p = document.createElement("p");
    p.textContent = `This browser kept text you typed at ${when} that differs from this page. Restore it?`;
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button";
    restore.textContent = "Restore the text kept in this browser";
    restore.addEventListener("click", async () => {
      const response = await fetch(config.autosaveUrl, {
        method: "POST",
        body: JSON.stringify(kept),
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      });
      if (response.ok) window.location.search = "?_restore_autosave=1";
      else say("Your login expired: sign in in another tab, your text is kept here.", true);
    });
    const drop = document.createElement("button");
    drop.type = "button";
    drop.className = "button";
    drop.textContent = "Discard it";
    drop.addEventListener("click", () => {
      localStorage.removeItem(config.storageKey);
      banner.remove();
    });
    banner.append(p, restore, drop);
    document.querySelector(".desk-banners").append(banner);
  }
  if (document.querySelector(".messagelist .success")) {
    // The save that brought us here stored the text: the browser's copy has done its job.
    localStorage.removeItem(config.storageKey);
    localStorage.removeItem(config.newStorageKey);
  } else if (!new URLSearchParams(window.location.search).has("_restore_autosave")) {
    window.addEventListener("load", () => setTimeout(offerLocalCopy, 500));
  }

  const discard = document.getElementById("desk-discard-autosave");
  if (discard) {
    discard.addEventListener("click", async () => {
      await fetch(config.discardUrl, { method: "POST", headers: { "X-CSRFToken": csrfToken() } });
      document.getElementById("desk-autosave-offer").remove();
      localStorage.removeItem(config.storageKey);
      say("Autosaved version discarded.");
    });
  }

  // --- edit lock --------------------------------------------------------------------------------------
  function setEditable(editable) {
    for (const button of form.querySelectorAll(".desk-workflow button")) button.disabled = !editable;
  }

  async function heartbeat({ take = false } = {}) {
    if (!config.lockUrl) return;
    try {
      const response = await fetch(config.lockUrl + (take ? "?take=1" : ""), {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
      });
      if (response.status === 401 || response.status === 403) {
        say("Your login expired: sign in in another tab, your text is kept here.", true);
        return;
      }
      const lock = await response.json();
      if (lock.mine) {
        holdsLock = true;
        setEditable(true);
        if (take) {
          lockBanner.hidden = true;
          lockBanner.textContent = "";
        }
        return;
      }
      if (holdsLock) {
        // Someone took over: keep what was typed here before saying so.
        await autosave({ force: true });
        holdsLock = false;
        lockBanner.innerHTML = "";
        const p = document.createElement("p");
        p.textContent =
          `${lock.holder} took over editing at ${lock.since}. Your text is kept as your autosave; ` +
          "you can still read and copy it. Saving now would be refused unless you take over again.";
        const again = document.createElement("button");
        again.type = "button";
        again.className = "button";
        again.textContent = "Take over";
        again.addEventListener("click", () => heartbeat({ take: true }));
        lockBanner.append(p, again);
        lockBanner.hidden = false;
        setEditable(false);
      }
    } catch (error) {
      /* offline: the next beat tries again */
    }
  }

  const takeOver = document.getElementById("desk-take-over");
  if (takeOver) takeOver.addEventListener("click", () => heartbeat({ take: true }));
  if (!holdsLock) setEditable(false);
  setInterval(heartbeat, HEARTBEAT_MS);
})();
