// Small progressive enhancements; every page works without them.
import { rememberBrowserTimeZone } from "./timezone.js";

document.documentElement.classList.add("js");
rememberBrowserTimeZone(document.body.dataset.timeZoneCookie);

// Forms marked data-autosubmit (the language switcher) submit when a choice changes.
for (const form of document.querySelectorAll("form[data-autosubmit]")) {
  form.addEventListener("change", () => form.requestSubmit());
}

// Close the account menu on Escape or a click elsewhere, as menus do.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    menu.removeAttribute("open");
    menu.querySelector("summary")?.focus();
  }
});
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  }
});
