/* Events, live: the registrant's own state (registration_changed) on the event and confirmation
 * pages, and the check-in count that every organiser's screen follows (room "event:<id>"). */
(function () {
  "use strict";
  const doc = document;
  const Achats = window.Achats || {};

  function label(payload) {
    if (payload.status === "confirmed") return "Inscription confirmée";
    if (payload.status === "waitlisted") return `Liste d'attente, position ${Number(payload.waitlist_position) || ""}`;
    return "Inscription annulée";
  }

  function setupRegistration() {
    const page = doc.getElementById("evenement");
    const status = doc.getElementById("statut-inscription");
    if (!page || !status || typeof Achats.on !== "function") return;
    const eventId = Number.parseInt(page.dataset.eventId, 10);
    Achats.on("registration_changed", (payload) => {
      if (!payload || Number(payload.event_id) !== eventId) return;
      const badge = doc.createElement("span");
      badge.className = payload.status === "confirmed" ? "badge badge-success" : "badge badge-warning";
      badge.textContent = label(payload);
      status.replaceChildren(badge);
      page.dataset.live = payload.status;
    });
  }

  function setupCheckIn() {
    const page = doc.getElementById("pointage");
    const count = doc.getElementById("presents");
    if (!page || !count || typeof Achats.join !== "function" || !Achats.socket) return;
    const eventId = Number.parseInt(page.dataset.eventId, 10);
    Achats.join(`event:${eventId}`, (reply) => {
      page.dataset.live = reply && reply.ok === false ? "refused" : "joined";
    });
    Achats.on("attendance_changed", (payload) => {
      if (!payload || Number(payload.event_id) !== eventId) return;
      count.textContent = String(Number(payload.present) || 0);
      const row = doc.querySelector(`[data-registration-id="${Number(payload.registration_id)}"]`);
      if (row) row.classList.toggle("is-present", Boolean(payload.checked_in_at));
    });
  }

  function start() {
    setupRegistration();
    setupCheckIn();
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})();
