/*
 * Forums: Markdown preview, @mention autocompletion, quoting (a post or the selected text),
 * replying to a post, the duplicate hint on new titles, and live posts on a thread page.
 * Plain ES2020, loaded after app.js (window.Achats). Everything here is an enhancement: each
 * feature has a server-side path that works without JavaScript.
 *
 * Security rule: text from the server is inserted with textContent. The only HTML inserted is
 * Markdown rendered AND sanitised by the server (the preview response and post.body_html of a
 * live post), parsed through a <template> element, never through innerHTML on live nodes.
 */
(() => {
  "use strict";

  const doc = document;
  const Achats = window.Achats || {};
  const MENTION_MIN = 2;
  const DEBOUNCE_MS = 300;

  function csrfToken() {
    if (typeof Achats.csrfToken === "function") return Achats.csrfToken();
    const meta = doc.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function debounce(fn, delay) {
    let timer = null;
    const debounced = (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), delay);
    };
    debounced.cancel = () => clearTimeout(timer);
    return debounced;
  }

  /** A same-origin path, or null (never javascript:, data: or another site). */
  function safePath(raw) {
    if (typeof raw !== "string" || raw === "") return null;
    try {
      const url = new URL(raw, window.location.href);
      if (url.origin !== window.location.origin) return null;
      if (url.protocol !== "http:" && url.protocol !== "https:") return null;
      return url.pathname + url.search + url.hash;
    } catch (_err) {
      return null;
    }
  }

  /**
   * Turn server-sanitised HTML into a fragment. ONLY for HTML that the server rendered from
   * Markdown and cleaned with sanitize_html() (the /forums/apercu response and body_html of a
   * post): a <template> parses it inert (no script runs, no image loads) before insertion.
   */
  function sanitisedFragment(html) {
    const template = doc.createElement("template");
    template.innerHTML = String(html ?? ""); // server-sanitised HTML only, see above
    return template.content;
  }

  // Background requests still on their way when a form is sent are dropped: each response
  // re-sends the session cookie as it was before the submit, and arriving after the submit's
  // redirect it would overwrite the confirmation message stored there.
  const inFlight = new Set();

  async function trackedFetch(url, options = {}) {
    const controller = new AbortController();
    inFlight.add(controller);
    try {
      return await fetch(url, { credentials: "same-origin", ...options, signal: controller.signal });
    } finally {
      inFlight.delete(controller);
    }
  }

  doc.addEventListener("submit", () => {
    for (const controller of inFlight) controller.abort();
    inFlight.clear();
  });

  function insertAtCursor(textarea, text) {
    const start = textarea.selectionStart ?? textarea.value.length;
    const end = textarea.selectionEnd ?? textarea.value.length;
    const before = textarea.value.slice(0, start);
    const after = textarea.value.slice(end);
    const gap = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    textarea.value = before + gap + text + after;
    const caret = (before + gap + text).length;
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // ------------------------------------------------------------------ preview

  function setupPreview(editor) {
    const button = editor.querySelector("[data-preview-button]");
    const textarea = editor.querySelector("textarea");
    const region = editor.querySelector(".editor__preview");
    const target = editor.querySelector("[data-preview-body]");
    if (!button || !textarea || !region || !target) return;
    const url = safePath(button.dataset.previewUrl);
    if (!url) return;

    button.addEventListener("click", async (event) => {
      event.preventDefault();
      const data = new FormData();
      data.append("body", textarea.value);
      data.append("csrf_token", csrfToken());
      button.setAttribute("aria-busy", "true");
      try {
        const response = await trackedFetch(url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "text/html" },
        });
        const text = await response.text();
        if (!response.ok) {
          const message = doc.createElement("p");
          message.className = "field-error";
          message.textContent = response.status === 429
            ? "Trop d'aperçus demandés : réessayez dans un instant."
            : "L'aperçu n'a pas pu être affiché.";
          target.replaceChildren(message);
        } else if (text.trim() === "") {
          const empty = doc.createElement("p");
          empty.className = "muted";
          empty.textContent = "Rien à afficher : le message est vide.";
          target.replaceChildren(empty);
        } else {
          // The response is the server's sanitised rendering of the Markdown (see sanitisedFragment).
          target.replaceChildren(sanitisedFragment(text));
        }
        region.hidden = false;
        button.textContent = "Actualiser l'aperçu";
      } catch (_err) {
        const message = doc.createElement("p");
        message.className = "field-error";
        message.textContent = "Aperçu impossible : vérifiez votre connexion.";
        target.replaceChildren(message);
        region.hidden = false;
      } finally {
        button.removeAttribute("aria-busy");
      }
    });
  }

  // ------------------------------------------------------------------ @mentions

  let mentionCounter = 0;

  function setupMentions(textarea) {
    const url = safePath(textarea.dataset.mentionsUrl);
    if (!url) return;
    mentionCounter += 1;
    const listId = `mentions-${mentionCounter}`;
    const list = doc.createElement("ul");
    list.id = listId;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Membres à mentionner");
    list.hidden = true;
    const status = doc.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);

    let items = [];
    let active = -1;
    let token = null; // {start, end, query}
    let requestSeq = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      items = [];
      active = -1;
      token = null;
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      const options = list.querySelectorAll('[role="option"]');
      options.forEach((option, i) => {
        const on = i === index;
        option.setAttribute("aria-selected", on ? "true" : "false");
        option.classList.toggle("is-active", on);
      });
      active = index;
      if (index >= 0 && options[index]) {
        textarea.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        textarea.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      const item = items[index];
      if (!item || !token) return;
      const before = textarea.value.slice(0, token.start);
      const after = textarea.value.slice(token.end);
      const insert = `@${item.handle} `;
      textarea.value = before + insert + after.replace(/^ /, "");
      const caret = before.length + insert.length;
      textarea.focus();
      textarea.setSelectionRange(caret, caret);
      status.textContent = `${item.name} mentionné.`;
      close();
    }

    function render(found) {
      items = found;
      list.replaceChildren();
      if (!found.length) {
        close();
        status.textContent = "Aucun membre trouvé.";
        return;
      }
      found.forEach((item, i) => {
        const option = doc.createElement("li");
        option.id = `${listId}-option-${i}`;
        option.className = "mention-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const handle = doc.createElement("span");
        handle.className = "mention-handle";
        handle.textContent = `@${item.handle}`;
        const name = doc.createElement("span");
        name.textContent = ` ${item.name}`;
        option.append(handle, name);
        if (item.organisation) {
          const org = doc.createElement("span");
          org.className = "mention-org";
          org.textContent = item.organisation;
          option.appendChild(org);
        }
        // mousedown keeps the focus in the textarea (no blur-close before the click lands).
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      highlight(0);
      const n = found.length;
      status.textContent = `${n} membre${n > 1 ? "s" : ""} proposé${n > 1 ? "s" : ""} : flèches haut et bas pour choisir, Entrée pour insérer, Échap pour fermer.`;
    }

    const lookup = debounce(async (query) => {
      const seq = ++requestSeq;
      try {
        const response = await trackedFetch(`${url}?q=${encodeURIComponent(query)}`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok || seq !== requestSeq || !token) return;
        const data = await response.json();
        const found = Array.isArray(data)
          ? data.filter((u) => u && typeof u.handle === "string" && typeof u.name === "string")
          : [];
        render(found.slice(0, 8));
      } catch (_err) {
        close();
      }
    }, DEBOUNCE_MS);

    function currentToken() {
      const caret = textarea.selectionStart;
      if (caret !== textarea.selectionEnd) return null;
      const before = textarea.value.slice(0, caret);
      const match = /(^|[\s(>])@([\p{L}\p{N}._-]{2,40})$/u.exec(before);
      if (!match) return null;
      return { start: caret - match[2].length - 1, end: caret, query: match[2] };
    }

    textarea.addEventListener("input", () => {
      const found = currentToken();
      if (!found || found.query.length < MENTION_MIN) {
        close();
        return;
      }
      token = found;
      lookup(found.query);
    });

    textarea.addEventListener("keydown", (event) => {
      if (list.hidden || !items.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        if (active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });

    textarea.addEventListener("blur", () => setTimeout(close, 150));
  }

  // ------------------------------------------------------------------ quote and reply-to

  function replyTextarea() {
    return doc.querySelector("[data-reply-form] textarea");
  }

  function selectionInside(element) {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return "";
    const range = selection.getRangeAt(0);
    if (!element.contains(range.commonAncestorContainer)) return "";
    return selection.toString().trim();
  }

  function setupQuotes() {
    // Remember the selection when the pointer goes down on "Citer" (clicking may clear it).
    let pendingSelection = { link: null, text: "" };
    doc.addEventListener("mousedown", (event) => {
      const link = event.target instanceof Element ? event.target.closest("[data-quote-url]") : null;
      if (!link) return;
      const article = link.closest("article");
      const body = article ? article.querySelector("[data-post-body]") : null;
      pendingSelection = { link, text: body ? selectionInside(body) : "" };
    });

    doc.addEventListener("click", async (event) => {
      const link = event.target instanceof Element ? event.target.closest("[data-quote-url]") : null;
      if (!link) return;
      const textarea = replyTextarea();
      const url = safePath(link.dataset.quoteUrl);
      if (!textarea || !url) return; // follow the link: the server pre-fills the reply
      event.preventDefault();
      const article = link.closest("article");
      const body = article ? article.querySelector("[data-post-body]") : null;
      let selection = body ? selectionInside(body) : "";
      if (!selection && pendingSelection.link === link) selection = pendingSelection.text;
      pendingSelection = { link: null, text: "" };
      try {
        const query = selection ? `?selection=${encodeURIComponent(selection.slice(0, 4000))}` : "";
        const response = await trackedFetch(url + query, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) throw new Error(String(response.status));
        const data = await response.json();
        if (typeof data.markdown !== "string") throw new Error("format");
        insertAtCursor(textarea, data.markdown);
        textarea.focus();
        textarea.scrollIntoView({ block: "center" });
      } catch (err) {
        if (err && err.name === "AbortError") return; // the page is being left by a submit
        window.location.href = link.href;
      }
    });
  }

  function setupReplyTo() {
    const form = doc.querySelector("[data-reply-form]");
    if (!form) return;
    const input = form.querySelector("[data-reply-to-input]");
    const context = form.querySelector("[data-reply-context]");
    const text = form.querySelector("[data-reply-context-text]");
    const cancel = form.querySelector("[data-reply-cancel]");
    const textarea = form.querySelector("textarea");
    if (!input || !context || !text || !textarea) return;

    doc.addEventListener("click", (event) => {
      const link = event.target instanceof Element ? event.target.closest("[data-reply-to]") : null;
      if (!link) return;
      event.preventDefault();
      input.value = String(Number.parseInt(link.dataset.replyTo, 10) || "");
      text.textContent = `En réponse au ${link.dataset.replyLabel || "message"}`;
      context.hidden = false;
      textarea.focus();
      textarea.scrollIntoView({ block: "center" });
    });
    if (cancel) {
      cancel.addEventListener("click", (event) => {
        event.preventDefault();
        input.value = "";
        text.textContent = "";
        context.hidden = true;
        textarea.focus();
      });
    }
  }

  // ------------------------------------------------------------------ new thread

  function setupThreadForm(form) {
    const title = form.querySelector("input[name='title']");
    const box = form.querySelector("[data-similar]");
    const list = form.querySelector("[data-similar-list]");
    const holder = form.querySelector("[data-similar-url]");
    const url = holder ? safePath(holder.dataset.similarUrl) : null;
    if (title && box && list && url) {
      let seq = 0;
      const search = debounce(async () => {
        const value = title.value.trim();
        const mine = ++seq;
        if (value.length < 8) {
          box.hidden = true;
          list.replaceChildren();
          return;
        }
        try {
          const response = await trackedFetch(`${url}?titre=${encodeURIComponent(value)}`, {
            headers: { Accept: "application/json" },
          });
          if (!response.ok || mine !== seq) return;
          const data = await response.json();
          const items = Array.isArray(data) ? data : [];
          list.replaceChildren();
          for (const item of items) {
            const href = item && safePath(item.url);
            if (!href || typeof item.title !== "string") continue;
            const li = doc.createElement("li");
            const a = doc.createElement("a");
            a.href = href;
            a.textContent = item.title;
            li.appendChild(a);
            if (item.solved) {
              const badge = doc.createElement("span");
              badge.className = "badge badge-success";
              badge.textContent = "Résolu";
              li.append(" ", badge);
            }
            list.appendChild(li);
          }
          box.hidden = list.children.length === 0;
        } catch (_err) {
          // No hint is no harm: the form works the same.
        }
      }, 400);
      title.addEventListener("input", search);
      form.addEventListener("submit", () => {
        search.cancel();
        seq += 1;
      });
    }

    // The desk explanation and the default kind follow the chosen category.
    const category = form.querySelector("select[name='category']");
    const explanation = doc.getElementById("guichet-explication");
    const deskSlugs = (form.dataset.deskCategories || "").split(" ").filter(Boolean);
    if (category && explanation) {
      category.addEventListener("change", () => {
        const isDesk = deskSlugs.includes(category.value);
        explanation.hidden = !isDesk;
        const kind = form.querySelector(`input[name='kind'][value='${isDesk ? "question" : "discussion"}']`);
        if (kind) kind.checked = true;
      });
    }
  }

  // ------------------------------------------------------------------ live posts

  function liveAuthorName(author) {
    if (author && typeof author === "object" && typeof author.name === "string") return author.name;
    if (typeof author === "string") return author;
    return "Compte supprimé";
  }

  function buildPost(post, container) {
    const number = Number.parseInt(post.number, 10);
    const name = liveAuthorName(post.author);
    const article = doc.createElement("article");
    article.className = "post is-new";
    if (Number.isInteger(number)) article.id = `message-${number}`;
    article.dataset.postId = String(Number(post.id) || "");

    const header = doc.createElement("header");
    header.className = "post__header";
    const authorSpan = doc.createElement("span");
    authorSpan.className = "post__author";
    const authorId = post.author && Number.isInteger(post.author.id) ? post.author.id : null;
    const profileTemplate = container.dataset.profileUrl || "";
    if (authorId !== null && profileTemplate) {
      const link = doc.createElement("a");
      link.className = "user-link";
      link.href = profileTemplate.replace(/0$/, String(authorId));
      link.textContent = name;
      authorSpan.appendChild(link);
    } else {
      authorSpan.textContent = name;
    }
    header.appendChild(authorSpan);
    const role = post.author && typeof post.author.role === "string" ? post.author.role : "";
    const roleLabel = { expert: "Expert", moderator: "Modérateur", admin: "Administrateur" }[role];
    if (roleLabel) {
      const badge = doc.createElement("span");
      badge.className = "badge badge-info";
      badge.textContent = roleLabel;
      header.append(" ", badge);
    }
    const organisation = post.author && typeof post.author.organisation === "string" ? post.author.organisation : "";
    if (organisation) {
      const org = doc.createElement("span");
      org.className = "post__org";
      org.textContent = organisation;
      header.append(" ", org);
    }
    const meta = doc.createElement("span");
    meta.className = "post__meta";
    if (Number.isInteger(number)) {
      const permalink = doc.createElement("a");
      permalink.className = "post__permalink";
      permalink.href = `#message-${number}`;
      permalink.textContent = `n°${number}`;
      meta.append(permalink, " · ");
    }
    const time = doc.createElement("time");
    if (typeof post.created_at === "string") time.dateTime = post.created_at;
    time.textContent = "à l'instant";
    meta.appendChild(time);
    header.append(" ", meta);

    const body = doc.createElement("div");
    body.className = "post__body post-body";
    body.dataset.postBody = "";
    // body_html was rendered and sanitised by the server when the post was written.
    body.appendChild(sanitisedFragment(post.body_html));

    const footer = doc.createElement("footer");
    footer.className = "post__footer";
    const reload = doc.createElement("button");
    reload.type = "button";
    reload.className = "btn-link";
    reload.textContent = "Recharger la page pour citer ou réagir";
    reload.addEventListener("click", () => {
      if (Number.isInteger(number)) window.location.hash = `message-${number}`;
      window.location.reload();
    });
    footer.appendChild(reload);

    article.append(header, body, footer);
    return article;
  }

  function setupLive() {
    const container = doc.getElementById("sujet");
    if (!container) return;
    const threadId = Number.parseInt(container.dataset.threadId, 10);
    if (!Number.isInteger(threadId)) return;
    if (container.dataset.lastPage !== "true") return; // new posts land on the last page only
    if (typeof Achats.join !== "function" || !Achats.socket) return;
    const list = doc.getElementById("post-list");
    const announcer = doc.getElementById("annonces-messages");
    container.dataset.live = "joining";
    Achats.join(`thread:${threadId}`, (reply) => {
      container.dataset.live = reply && reply.ok === false ? "refused" : "joined";
    });
    Achats.on("post_created", (payload) => {
      if (!payload || Number(payload.thread_id) !== threadId || !payload.post || !list) return;
      const post = payload.post;
      const number = Number.parseInt(post.number, 10);
      if (Number.isInteger(number) && doc.getElementById(`message-${number}`)) return;
      if (doc.querySelector(`[data-post-id="${Number(post.id)}"]`)) return;
      list.appendChild(buildPost(post, container));
      const none = doc.getElementById("aucune-reponse");
      if (none) none.remove();
      if (announcer) announcer.textContent = `Nouveau message de ${liveAuthorName(post.author)}`;
      if (typeof Achats.enhance === "function") Achats.enhance(list.lastElementChild);
    });
  }

  // ------------------------------------------------------------------ start

  function start() {
    doc.querySelectorAll("[data-editor]").forEach(setupPreview);
    doc.querySelectorAll("textarea[data-mentions-url]").forEach(setupMentions);
    doc.querySelectorAll("[data-thread-form]").forEach(setupThreadForm);
    setupQuotes();
    setupReplyTo();
    setupLive();
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})();
