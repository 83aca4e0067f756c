// The record's pages work without this script; it only adds the map's day slider and,
// inside Telegram (a Mini App), the reader's language, Telegram's theme and back
// button, links that open outside the app, and the Subscribe button. It talks to
// Telegram directly (the documented postEvent bridge) rather than loading Telegram's
// script from telegram.org: the pages make no request to any other site.
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root") || "";
  var LANGS = ["en", "ru", "kk"];

  // --- Telegram launch parameters: in the first page's URL hash, kept for the session.
  function remember(key, value) {
    try { sessionStorage.setItem(key, value); } catch (e) { /* storage off */ }
  }
  function recall(key) {
    try { return sessionStorage.getItem(key); } catch (e) { return null; }
  }
  var launchedHere = false;
  function readLaunch() {
    var hash = location.hash.slice(1);
    if (hash.indexOf("tgWebAppData=") !== -1) {
      launchedHere = true;
      remember("qantar.tg", hash);
      // The page's own anchors need the hash back.
      try { history.replaceState(null, "", location.pathname + location.search); } catch (e) { /* file: */ }
      return hash;
    }
    return recall("qantar.tg");
  }
  function params(text) {
    var out = {};
    (text || "").split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      if (i > 0) {
        try { out[pair.slice(0, i)] = decodeURIComponent(pair.slice(i + 1).replace(/\+/g, " ")); }
        catch (e) { /* a malformed pair is skipped */ }
      }
    });
    return out;
  }
  var launch = readLaunch();
  var tg = launch ? params(launch) : null;
  var initData = tg ? tg.tgWebAppData || "" : "";
  var init = params(initData);
  var user = null;
  try { user = init.user ? JSON.parse(init.user) : null; } catch (e) { user = null; }

  function postEvent(type, data) {
    var payload = JSON.stringify(data || {});
    try {
      if (window.TelegramWebviewProxy && window.TelegramWebviewProxy.postEvent) {
        window.TelegramWebviewProxy.postEvent(type, payload);
      } else if (window.external && "notify" in window.external) {
        window.external.notify(JSON.stringify({ eventType: type, eventData: data || {} }));
      } else if (window.parent !== window) {
        window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), "https://web.telegram.org");
      }
    } catch (e) { /* outside Telegram there is no one to tell */ }
  }
  var handlers = {};
  // Telegram calls window.Telegram.WebView.receiveEvent(name, data) in the page.
  window.Telegram = window.Telegram || {};
  window.Telegram.WebView = window.Telegram.WebView || {};
  window.Telegram.WebView.receiveEvent = function (name, data) {
    if (handlers[name]) handlers[name](data);
  };
  window.addEventListener("message", function (ev) {
    if (ev.origin !== "https://web.telegram.org" || typeof ev.data !== "string") return;
    try {
      var msg = JSON.parse(ev.data);
      if (msg && handlers[msg.eventType]) handlers[msg.eventType](msg.eventData);
    } catch (e) { /* not ours */ }
  });

  function applyTheme(theme) {
    if (!theme) return;
    var map = { bg_color: "--bg", text_color: "--fg", hint_color: "--muted", link_color: "--link",
      button_color: "--btn", button_text_color: "--btn-fg", secondary_bg_color: "--panel" };
    Object.keys(map).forEach(function (key) {
      if (/^#[0-9a-fA-F]{3,8}$/.test(theme[key] || "")) {
        document.documentElement.style.setProperty(map[key], theme[key]);
      }
    });
  }

  function langOf(code) {
    code = (code || "").toLowerCase().split("-")[0];
    return LANGS.indexOf(code) !== -1 ? code : "en";
  }

  if (tg) {
    document.documentElement.classList.add("in-telegram");
    var startParam = init.start_param || tg.tgWebAppStartParam || "";
    if (body.getAttribute("data-page") === "root") {
      // The menu button and t.me/<bot>?startapp=<event> open the root: go on to the
      // reader's language, and to the event the link names.
      var lang = langOf(user && user.language_code);
      var target = root + lang + "/";
      if (/^[a-z0-9_-]{1,64}$/.test(startParam)) target += "timeline/" + startParam.replace(/_/g, "-") + "/";
      remember("qantar.entry", new URL(target, location.href).pathname);
      location.replace(target);
      return;
    }
    try { applyTheme(JSON.parse(tg.tgWebAppThemeParams || "null")); } catch (e) { /* no theme */ }
    handlers.theme_changed = function (data) { applyTheme(data && data.theme_params); };
    postEvent("web_app_ready");
    postEvent("web_app_expand");

    // Telegram's back button instead of a browser's, on every page but the one the app
    // opened on (history.length cannot tell: a webview may count a blank page first).
    var entry = recall("qantar.entry");
    if (!entry || launchedHere) {
      entry = location.pathname;
      remember("qantar.entry", entry);
    }
    if (location.pathname !== entry) postEvent("web_app_setup_back_button", { is_visible: true });
    handlers.back_button_pressed = function () {
      if (history.length > 1) history.back(); else location.href = entry;
    };

    // Sources and the petition open in the reader's browser, not inside the app.
    document.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("a[href]") : null;
      if (!a || a.origin === location.origin) return;
      if (!/^https?:$/.test(a.protocol)) return;
      ev.preventDefault();
      postEvent("web_app_open_link", { url: a.href });
    });

    // Subscribe: the same subscription as /subscribe, for the reader's private chat.
    var box = document.querySelector(".tg-only");
    var button = document.getElementById("subscribe");
    var status = document.getElementById("subscribe-status");
    if (box && button && status && initData) {
      box.hidden = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        fetch(root + "api/subscribe", { method: "POST", body: initData, headers: { "Content-Type": "text/plain" } })
          .then(function (r) { return r.ok; }, function () { return false; })
          .then(function (ok) {
            status.textContent = button.getAttribute(ok ? "data-done" : "data-failed");
            button.disabled = ok;
          });
      });
    }
  }

  // --- The map's day slider: every day's picture, as /map's ◀ ▶ in the chat.
  var section = document.getElementById("map");
  var figure = section && section.querySelector("figure");
  var list = section && section.querySelector("script.map-days");
  var slider = section && section.querySelector("input[type=range]");
  if (figure && list && slider) {
    var days = [];
    try { days = JSON.parse(list.textContent); } catch (e) { days = []; }
    var img = figure.querySelector("img");
    var date = figure.querySelector(".map-date");
    if (days.length > 1 && img && date) {
      var show = function () {
        var day = days[Number(slider.value)];
        if (!day) return;
        img.src = day.src;
        img.alt = day.alt;
        // The picture opens full size: its text is small at a phone's width.
        if (img.parentNode && img.parentNode.tagName === "A") img.parentNode.href = day.src;
        date.textContent = day.date;
        slider.setAttribute("aria-valuetext", day.date);
      };
      slider.max = String(days.length - 1);
      slider.closest("label").hidden = false;
      slider.addEventListener("input", show);
      slider.addEventListener("change", show);
    }
  }
})();
