// Tell the server the browser's time zone so that visitors see times in it.
// Signed-in users' saved time zone takes precedence on the server.
export function rememberBrowserTimeZone(cookieName) {
  if (!cookieName) return;
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!timeZone) return;
  const current = document.cookie.split("; ").find((entry) => entry.startsWith(`${cookieName}=`));
  const encoded = encodeURIComponent(timeZone);
  if (current === `${cookieName}=${encoded}`) return;
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${cookieName}=${encoded}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
}
