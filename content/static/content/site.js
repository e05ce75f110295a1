/* The public site's small enhancements. Everything works without this script: content, menus, search,
   language switch, download. With it: text size (A− A A+) and high contrast, remembered in this browser
   (localStorage), a print button, and a collapsible main menu on phones.
   Loaded in <head> so the remembered size and contrast apply before the first paint (no flash). */
(function () {
  "use strict";
  var root = document.documentElement;
  var FONT_KEY = "portal.fontStep";
  var CONTRAST_KEY = "portal.highContrast";
  var STEPS = { "-1": "fs-m1", "1": "fs-p1", "2": "fs-p2", "3": "fs-p3" };

  function read(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function write(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
    } catch (e) { /* private mode: the choice lasts for this page only */ }
  }
  function fontStep() {
    var step = parseInt(read(FONT_KEY) || "0", 10);
    return isNaN(step) ? 0 : Math.max(-1, Math.min(3, step));
  }
  function applyFont(step) {
    Object.keys(STEPS).forEach(function (k) { root.classList.remove(STEPS[k]); });
    if (STEPS[String(step)]) { root.classList.add(STEPS[String(step)]); }
  }
  function applyContrast(on) {
    root.classList.toggle("hc", on);
    var button = document.querySelector("[data-contrast]");
    if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
  }

  root.classList.add("js");
  applyFont(fontStep());
  applyContrast(read(CONTRAST_KEY) === "1");

  document.addEventListener("DOMContentLoaded", function () {
    var tools = document.querySelector(".display-tools");
    if (tools) { tools.hidden = false; }
    applyContrast(read(CONTRAST_KEY) === "1");
    document.querySelectorAll("[data-font]").forEach(function (button) {
      button.addEventListener("click", function () {
        var delta = parseInt(button.getAttribute("data-font"), 10);
        var step = delta === 0 ? 0 : Math.max(-1, Math.min(3, fontStep() + delta));
        write(FONT_KEY, step === 0 ? null : String(step));
        applyFont(step);
      });
    });
    var contrast = document.querySelector("[data-contrast]");
    if (contrast) {
      contrast.addEventListener("click", function () {
        var on = !root.classList.contains("hc");
        write(CONTRAST_KEY, on ? "1" : null);
        applyContrast(on);
      });
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    var toggle = document.querySelector(".menu-toggle");
    var menu = document.querySelector(".main-menu");
    if (toggle && menu) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = !menu.classList.contains("open");
        menu.classList.toggle("open", open);
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
  });
})();
