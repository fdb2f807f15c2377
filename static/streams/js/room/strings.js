// The room's words come translated from the page (templates/streams/_room_strings.html);
// "%(name)s" placeholders are filled in here.

export function readStrings(root) {
  const strings = {};
  const template = root.querySelector("template[data-room-strings]");
  for (const item of template?.content.querySelectorAll("[data-key]") ?? []) {
    strings[item.dataset.key] = item.textContent.trim();
  }
  return (key, values = {}) =>
    (strings[key] ?? key).replace(/%\((\w+)\)s/g, (placeholder, name) =>
      name in values ? String(values[name]) : placeholder,
    );
}

const language = document.documentElement.lang || undefined;
const numberFormat = new Intl.NumberFormat(language);
const percentFormat = new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 0 });
const timeFormat = new Intl.DateTimeFormat(language, { hour: "numeric", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(language, {
  day: "numeric", month: "short", hour: "numeric", minute: "2-digit",
});

export const formatNumber = (value) => numberFormat.format(value);
export const formatPercent = (fraction) => percentFormat.format(fraction);

/** A moment as a clock time, with the date when it is not today. */
export function formatMoment(date) {
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return (sameDay ? timeFormat : dateTimeFormat).format(date);
}

/** A length as M:SS (or H:MM:SS), the way timers show it. */
export function formatClock(totalSeconds) {
  const seconds = Math.max(0, Math.ceil(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}
