// A form marked data-autosubmit posts itself once the page is shown (the button
// stays for browsers without scripts).
const form = document.querySelector("form[data-autosubmit]");
if (form) window.requestAnimationFrame(() => form.submit());
