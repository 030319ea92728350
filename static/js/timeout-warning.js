// The GOV.UK timeout warning: a modal dialog a few minutes before an idle session ends.
//
// The server ends a session unused for SESSION_IDLE_MINUTES (hscb/lib/sessions.py). The page
// learns the length from <body data-session-idle data-session-warning>. Before warning, it asks
// the server how long is left (another tab may have used the session). "Stay signed in" (or
// Escape) makes a request that counts as use; when the time runs out, the page is loaded again,
// and the server sends it to the sign-in page, which comes back here.
//
// Accessibility: the native <dialog> opened with showModal() keeps focus and the screen reader
// inside it, and gives the focus back when it closes. The countdown is read out when the dialog
// opens, then once a minute and at 20 seconds, not every second.

function inWords(seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

export function initTimeoutWarning(body) {
  const idle = Number(body.dataset.sessionIdle);
  const warning = Number(body.dataset.sessionWarning);
  const dialog = document.getElementById("timeout-warning");
  if (!idle || !warning || !dialog || typeof dialog.showModal !== "function") return;

  const countdown = dialog.querySelector("[data-countdown]");
  const announcement = dialog.querySelector("[data-announcement]");
  const extendForm = dialog.querySelector("form[data-extend]");
  let deadline = Date.now() + idle * 1000;
  let warnTimer = null;
  let tickTimer = null;
  let lastAnnounced = null;

  const secondsLeft = () => Math.max(0, Math.round((deadline - Date.now()) / 1000));

  function schedule() {
    clearTimeout(warnTimer);
    warnTimer = setTimeout(check, Math.max(0, deadline - warning * 1000 - Date.now()));
  }

  function signedOut() {
    clearInterval(tickTimer);
    // A GET of this page: the server has ended the session and sends it to sign in.
    window.location.assign(window.location.href);
  }

  async function check() {
    try {
      const response = await fetch(dialog.dataset.statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const status = await response.json();
      if (!status.signed_in) return signedOut();
      deadline = Date.now() + status.seconds_left * 1000;
    } catch (error) {
      // No answer: keep this page's own count.
    }
    if (secondsLeft() > warning + 1) return schedule();
    open();
  }

  function tick() {
    const left = secondsLeft();
    countdown.textContent = inWords(left);
    const minuteMark = left >= 60 && left % 60 === 0;
    if (left !== lastAnnounced && (minuteMark || left === 20)) {
      lastAnnounced = left;
      announcement.textContent = `We will sign you out in ${inWords(left)}.`;
    }
    if (left <= 0) signedOut();
  }

  function open() {
    if (dialog.open) return;
    lastAnnounced = null;
    announcement.textContent = "";
    tick();
    dialog.showModal();
    tickTimer = setInterval(tick, 1000);
  }

  async function staySignedIn() {
    clearInterval(tickTimer);
    try {
      const response = await fetch(extendForm.action, {
        method: "POST",
        body: new FormData(extendForm),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const status = await response.json();
      if (!status.signed_in) return signedOut();
      deadline = Date.now() + status.seconds_left * 1000;
    } catch (error) {
      // Could not reach the server: send the form the ordinary way instead.
      extendForm.submit();
      return;
    }
    if (dialog.open) dialog.close();
    schedule();
  }

  extendForm.addEventListener("submit", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  // Escape closes a modal dialog; here it means "stay signed in".
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  schedule();
}
