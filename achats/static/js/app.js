/*
 * Achats: the shared Socket.IO connection, live notifications and small progressive
 * enhancements. Plain ES2020, no build step, no framework.
 *
 * Security rule: text from the server (notifications, socket payloads) is inserted with
 * textContent only, never innerHTML; link targets are checked to be same-origin http(s).
 *
 * Public API for feature scripts (loaded after this file):
 *   Achats.socket            the Socket.IO client, or null (anonymous, or socket.io not loaded)
 *   Achats.on(event, fn)     listen to a server event; returns a function that unsubscribes
 *   Achats.emit(event, data, ack)   emit when a socket exists (no-op otherwise)
 *   Achats.join(room, ack)   join a room ("thread:12") and re-join it after every reconnect
 *   Achats.leave(room)       leave it
 *   Achats.csrfToken()       the CSRF token from <meta name="csrf-token">
 *   Achats.api(path, opts)   fetch JSON from the API with the session cookie and CSRF header
 *   Achats.toast(text, url)  show a short message in the live toast region
 *   Achats.enhance(root)     apply enhancements to content inserted later (e.g. a new post)
 */
(() => {
  "use strict";

  const doc = document;
  const body = doc.body;
  const rooms = new Set();
  const pendingAcks = new Map();
  const seenNotifications = new Set();
  const MAX_TOASTS = 3;
  const TOAST_DELAY_MS = 10000;

  // ------------------------------------------------------------------ helpers

  function csrfToken() {
    const meta = doc.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  /** A same-origin http(s) URL, or null: never follow javascript:, data: or foreign links. */
  function safeUrl(raw) {
    if (typeof raw !== "string" || raw === "") return null;
    try {
      const url = new URL(raw, window.location.href);
      if (url.protocol !== "http:" && url.protocol !== "https:") return null;
      if (url.origin !== window.location.origin) return null;
      return url.pathname + url.search + url.hash;
    } catch (_err) {
      return null;
    }
  }

  function plural(n, one, many) {
    return n > 1 ? many : one;
  }

  async function api(path, options = {}) {
    const method = (options.method || "GET").toUpperCase();
    const headers = { Accept: "application/json", ...(options.headers || {}) };
    const init = { method, headers, credentials: "same-origin" };
    if (!["GET", "HEAD", "OPTIONS"].includes(method)) {
      headers["X-CSRFToken"] = csrfToken();
    }
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    const response = await fetch(path.startsWith("/") ? path : `/api/v1/${path}`, init);
    const type = response.headers.get("Content-Type") || "";
    const data = type.includes("json") ? await response.json() : null;
    if (!response.ok) {
      const error = new Error((data && (data.detail || data.title)) || `HTTP ${response.status}`);
      error.status = response.status;
      error.data = data;
      throw error;
    }
    return data;
  }

  // ------------------------------------------------------------------ unread count (bell)

  function updateUnreadCount(count) {
    const n = Number.parseInt(count, 10);
    if (!Number.isFinite(n) || n < 0) return;
    const badge = doc.getElementById("bell-count");
    if (badge) {
      badge.textContent = String(n);
      badge.dataset.count = String(n);
    }
    const link = doc.getElementById("bell-link");
    if (link) {
      link.setAttribute("aria-label", `Notifications, ${n} ${plural(n, "non lue", "non lues")}`);
    }
  }

  // ------------------------------------------------------------------ toasts

  function toastRegion() {
    let region = doc.getElementById("toasts");
    if (!region) {
      region = doc.createElement("div");
      region.id = "toasts";
      region.className = "toasts";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      body.appendChild(region);
    }
    return region;
  }

  function toast(text, url, title = "Nouvelle notification") {
    const region = toastRegion();
    while (region.children.length >= MAX_TOASTS) region.firstElementChild.remove();

    const item = doc.createElement("div");
    item.className = "toast";

    const content = doc.createElement("div");
    content.className = "toast__body";
    const heading = doc.createElement("span");
    heading.className = "toast__title";
    heading.textContent = title;
    content.appendChild(heading);

    const href = safeUrl(url);
    const message = doc.createElement(href ? "a" : "span");
    if (href) message.href = href;
    message.textContent = String(text ?? "");
    content.appendChild(message);

    const close = doc.createElement("button");
    close.type = "button";
    close.className = "toast__close";
    close.setAttribute("aria-label", "Fermer la notification");
    close.textContent = "×";
    close.addEventListener("click", () => item.remove());

    item.append(content, close);
    region.appendChild(item);

    // Disappear after a while, but never under the pointer or the keyboard focus.
    let timer = null;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (item.matches(":hover") || item.contains(doc.activeElement)) schedule();
        else item.remove();
      }, TOAST_DELAY_MS);
    };
    schedule();
    return item;
  }

  // ------------------------------------------------------------------ notifications page list

  /** Where a notification leads: its target (opening it marks it read with a POST, see below). */
  function notificationOpenUrl(notification) {
    return notification.target ? notification.target.url : null;
  }

  /** Mark read on the way out: a POST that survives the navigation (keepalive); GET changes nothing. */
  function markReadOnOpen(link, notification) {
    const id = Number(notification.id);
    if (!Number.isInteger(id)) return;
    link.addEventListener("click", () => {
      try {
        fetch(body.dataset.notificationsApi || "/api/v1/notifications/read", {
          method: "POST",
          credentials: "same-origin",
          keepalive: true,
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({ ids: [id] }),
        });
      } catch (_err) {
        // Read state is a convenience: the target opens anyway.
      }
    });
  }

  function prependToList(notification) {
    const list = doc.getElementById("notification-list");
    if (!list) return;
    if (list.querySelector(`[data-notification-id="${Number(notification.id)}"]`)) return;

    const li = doc.createElement("li");
    li.dataset.notificationId = String(Number(notification.id));

    const row = doc.createElement("div");
    row.className = "notification is-unread";

    const href = safeUrl(notificationOpenUrl(notification));
    const link = doc.createElement(href ? "a" : "span");
    link.className = "notification__link";
    if (href) {
      link.href = href;
      markReadOnOpen(link, notification);
    }
    link.textContent = String(notification.text ?? "");

    const unread = doc.createElement("span");
    unread.className = "tag tag-unread";
    unread.textContent = "Non lue";

    const meta = doc.createElement("span");
    meta.className = "notification__meta";
    const when = doc.createElement("time");
    if (typeof notification.created_at === "string") when.dateTime = notification.created_at;
    when.textContent = "à l'instant";
    meta.appendChild(when);

    row.append(link, " ", unread, " ", meta);
    li.appendChild(row);
    list.prepend(li);
    list.hidden = false;

    const empty = doc.getElementById("notification-empty");
    if (empty) empty.remove();
  }

  function receiveNotification(notification, { quiet = false } = {}) {
    if (!notification || typeof notification !== "object") return false;
    const id = Number(notification.id);
    if (Number.isInteger(id)) {
      if (seenNotifications.has(id)) return false;
      seenNotifications.add(id);
    }
    prependToList(notification);
    if (!quiet) {
      const item = toast(notification.text, notificationOpenUrl(notification));
      const link = item.querySelector("a");
      if (link) markReadOnOpen(link, notification);
    }
    return true;
  }

  async function refetchMissed() {
    try {
      const data = await api("/api/v1/notifications?unread=true&limit=20");
      if (!data) return;
      if (typeof data.unread_count === "number") updateUnreadCount(data.unread_count);
      const items = Array.isArray(data.items) ? data.items.slice().reverse() : [];
      let fresh = 0;
      for (const item of items) {
        if (receiveNotification(item, { quiet: true })) fresh += 1;
      }
      if (fresh > 0) {
        toast(
          `${fresh} ${plural(fresh, "nouvelle notification", "nouvelles notifications")} pendant la coupure`,
          body.dataset.notificationsUrl || "/notifications/",
          "Connexion rétablie",
        );
      }
    } catch (_err) {
      // Offline again or logged out: the next reconnect or page load will catch up.
    }
  }

  // ------------------------------------------------------------------ socket

  function connectSocket() {
    if (!body || !body.dataset.userId || typeof window.io !== "function") return null;
    let socket;
    try {
      socket = window.io({ transports: ["websocket"] });
    } catch (_err) {
      return null;
    }
    let wasDisconnected = false;

    socket.on("connect", () => {
      for (const room of rooms) {
        const ack = pendingAcks.get(room);
        pendingAcks.delete(room);
        if (ack) socket.emit("join", { room }, ack);
        else socket.emit("join", { room });
      }
      if (wasDisconnected) {
        wasDisconnected = false;
        refetchMissed();
      }
    });
    socket.on("disconnect", () => {
      wasDisconnected = true;
    });
    socket.on("connect_error", () => {
      wasDisconnected = true;
    });
    socket.on("unread_count", (payload) => {
      if (payload && payload.count !== undefined) updateUnreadCount(payload.count);
    });
    socket.on("notification", (payload) => receiveNotification(payload));
    // The server's hint that live messages may have been lost (Redis down or back): the database
    // has every notification, so fetch them (bell count, list, a toast for the new ones).
    socket.on("resync", () => refetchMissed());
    return socket;
  }

  // ------------------------------------------------------------------ enhancements

  /** Wide tables and code blocks scroll inside their box: make them keyboard-reachable. */
  function enhanceScrollables(root) {
    root.querySelectorAll(".post-body table, pre, .table-wrap, .table-wrapper").forEach((el) => {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
      }
    });
  }

  function enhancePasswords(root) {
    root.querySelectorAll('input[type="password"][data-reveal]').forEach((input) => {
      if (input.dataset.revealReady) return;
      input.dataset.revealReady = "1";
      const button = doc.createElement("button");
      button.type = "button";
      button.className = "btn btn-secondary btn-small";
      button.setAttribute("aria-pressed", "false");
      if (input.id) button.setAttribute("aria-controls", input.id);
      const label = doc.createElement("span");
      label.textContent = "Afficher";
      const hidden = doc.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " le mot de passe";
      button.append(label, hidden);
      button.addEventListener("click", () => {
        const show = input.type === "password";
        input.type = show ? "text" : "password";
        label.textContent = show ? "Masquer" : "Afficher";
        button.setAttribute("aria-pressed", show ? "true" : "false");
      });
      input.insertAdjacentElement("afterend", button);
      // Hand the password back to the browser as a password (managers, no plain-text autofill).
      if (input.form) {
        input.form.addEventListener("submit", () => {
          input.type = "password";
        });
      }
    });
  }

  function enhance(root = doc) {
    enhancePasswords(root);
    enhanceScrollables(root);
  }

  // Confirmation before destructive submits: <form data-confirm="Supprimer ce message ?">.
  doc.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      const message = form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );

  // Close the account menu on Escape or a click elsewhere (the <details> works without JS).
  doc.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    doc.querySelectorAll("details.account-menu[open]").forEach((menu) => {
      menu.open = false;
      const summary = menu.querySelector("summary");
      if (summary && menu.contains(doc.activeElement)) summary.focus();
    });
  });
  doc.addEventListener("click", (event) => {
    doc.querySelectorAll("details.account-menu[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  function onReady() {
    enhance(doc);
    // Known notifications on the page are not announced again after a reconnect.
    doc.querySelectorAll("#notification-list [data-notification-id]").forEach((el) => {
      const id = Number(el.getAttribute("data-notification-id"));
      if (Number.isInteger(id)) seenNotifications.add(id);
    });
    // A form came back with errors: move focus to its summary so it is read first.
    const summary = doc.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  // ------------------------------------------------------------------ public API

  const socket = connectSocket();

  window.Achats = {
    socket,
    on(event, fn) {
      if (!socket || typeof fn !== "function") return () => {};
      socket.on(event, fn);
      return () => socket.off(event, fn);
    },
    emit(event, data, ack) {
      if (!socket) return false;
      if (typeof ack === "function") socket.emit(event, data, ack);
      else socket.emit(event, data);
      return true;
    },
    join(room, ack) {
      rooms.add(room);
      if (!socket) return false;
      if (socket.connected) {
        if (typeof ack === "function") socket.emit("join", { room }, ack);
        else socket.emit("join", { room });
      } else if (typeof ack === "function") {
        pendingAcks.set(room, ack); // sent with the join of the next "connect"
      }
      return true;
    },
    leave(room) {
      rooms.delete(room);
      pendingAcks.delete(room);
      if (socket && socket.connected) socket.emit("leave", { room });
    },
    csrfToken,
    api,
    toast,
    enhance,
    updateUnreadCount,
  };

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", onReady);
  else onReady();
})();

/*
 * File inputs of upload forms ([data-upload-form], input[data-max-bytes]): a file over the limit
 * is refused before a long upload (the server checks again; the form works without this).
 */
(() => {
  "use strict";

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toLocaleString("fr-FR", { maximumFractionDigits: 1 });
  }

  function messageFor(input) {
    const id = `${input.id || "fichier"}-taille`;
    let node = document.getElementById(id);
    if (!node) {
      node = document.createElement("p");
      node.id = id;
      node.className = "field-error";
      node.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", node);
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (!described.includes(id)) input.setAttribute("aria-describedby", [...described, id].join(" "));
    }
    return node;
  }

  function check(input) {
    const limit = Number(input.dataset.maxBytes || 0);
    const file = input.files && input.files[0];
    const node = document.getElementById(`${input.id || "fichier"}-taille`);
    if (!file || !limit || file.size <= limit) {
      if (node) node.textContent = "";
      input.removeAttribute("aria-invalid");
      return true;
    }
    messageFor(input).textContent =
      `Ce fichier pèse ${megabytes(file.size)} Mo : la limite est de ${megabytes(limit)} Mo.`;
    input.setAttribute("aria-invalid", "true");
    return false;
  }

  for (const form of document.querySelectorAll("form[data-upload-form]")) {
    const inputs = form.querySelectorAll('input[type="file"][data-max-bytes]');
    for (const input of inputs) input.addEventListener("change", () => check(input));
    form.addEventListener("submit", (event) => {
      for (const input of inputs) {
        if (!check(input)) {
          event.preventDefault();
          input.focus();
          return;
        }
      }
    });
  }
})();
