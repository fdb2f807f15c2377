// Reactions: the buttons under the video send `reaction.send` (at most a few a second);
// `reaction.burst` floats emoji over the video, a number that grows with the counts
// but never past a dozen per burst. Decoration only: aria-hidden, and still for
// people who prefer reduced motion.

export const REACTION_EMOJI = {
  heart: "❤️",
  fire: "🔥",
  laugh: "😂",
  clap: "👏",
  wow: "😮",
  party: "🎉",
};
const TAPS_PER_SECOND = 8;
const MAX_PER_BURST = 12;
const MAX_ON_SCREEN = 60;

export class Reactions {
  /** @param {object} room  send(kind) -> bool */
  constructor(room) {
    this.room = room;
    this.bar = document.querySelector("[data-reaction-bar]");
    this.layer = document.querySelector("[data-reaction-burst]");
    this.taps = []; // times of recent taps, for the throttle
    this.ownPending = new Map(); // kind -> own taps not yet seen in a burst
    this.lastTapAt = 0;
    this.reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
    this.kinds = new Set(Object.keys(REACTION_EMOJI));

    this.bar?.addEventListener("click", (event) => {
      const button = event.target.closest("[data-reaction-button]");
      if (button) this.tap(button.dataset.reactionButton);
    });
  }

  /** The kinds the server accepts (welcome `reactions`) and whether this viewer may send. */
  configure({ kinds, enabled }) {
    if (Array.isArray(kinds)) this.kinds = new Set(kinds.filter((kind) => kind in REACTION_EMOJI));
    if (!this.bar) return;
    for (const button of this.bar.querySelectorAll("[data-reaction-button]")) {
      button.hidden = !this.kinds.has(button.dataset.reactionButton);
    }
    this.bar.hidden = !enabled || this.kinds.size === 0;
  }

  tap(kind) {
    if (!this.kinds.has(kind)) return;
    const now = performance.now();
    this.taps = this.taps.filter((time) => now - time < 1000);
    if (this.taps.length >= TAPS_PER_SECOND) return;
    if (!this.room.send(kind)) return;
    this.taps.push(now);
    this.lastTapAt = now;
    this.ownPending.set(kind, (this.ownPending.get(kind) ?? 0) + 1);
    this.float(kind, 1);
  }

  /** A `reaction.burst`: the counts of the last window, less this viewer's own taps
   * (already shown when tapped). */
  burst(counts) {
    if (!this.layer || !counts || typeof counts !== "object") return;
    // Own taps come back within a window or two; older ones were not counted.
    if (performance.now() - this.lastTapAt > 2000) this.ownPending.clear();
    const shown = {};
    let total = 0;
    for (const [kind, value] of Object.entries(counts)) {
      if (!(kind in REACTION_EMOJI)) continue;
      let count = Math.max(0, Math.floor(Number(value) || 0));
      const own = this.ownPending.get(kind) ?? 0;
      const mine = Math.min(own, count);
      this.ownPending.set(kind, own - mine);
      count -= mine;
      if (count > 0) {
        shown[kind] = count;
        total += count;
      }
    }
    if (total === 0) return;
    // Grow with the counts (square root, so big rooms do not flood the screen), capped.
    const budget = this.reducedMotion.matches
      ? Math.min(Object.keys(shown).length, 3)
      : Math.min(MAX_PER_BURST, Math.max(1, Math.round(Math.sqrt(total) * 2)));
    const kinds = Object.entries(shown).sort((a, b) => b[1] - a[1]);
    let left = budget;
    for (const [kind, count] of kinds) {
      if (left <= 0) break;
      const share = Math.max(1, Math.round((count / total) * budget));
      const number = Math.min(left, share, count);
      this.float(kind, number);
      left -= number;
    }
  }

  float(kind, number) {
    if (!this.layer) return;
    for (let index = 0; index < number; index += 1) {
      if (this.layer.childElementCount >= MAX_ON_SCREEN) return;
      const item = document.createElement("span");
      item.className = "room-burst";
      item.textContent = REACTION_EMOJI[kind];
      if (this.reducedMotion.matches) {
        item.style.setProperty("--x", `${72 + index * 8}%`);
      } else {
        item.style.setProperty("--x", `${62 + Math.random() * 30}%`);
        item.style.setProperty("--drift", `${Math.round((Math.random() - 0.5) * 80)}px`);
        item.style.setProperty("--delay", `${Math.round(Math.random() * 350)}ms`);
        item.style.setProperty("--duration", `${(2 + Math.random() * 1.2).toFixed(2)}s`);
        item.style.setProperty("--size", `${(1.3 + Math.random() * 0.9).toFixed(2)}rem`);
      }
      item.addEventListener("animationend", () => item.remove());
      window.setTimeout(() => item.remove(), 5000); // in case animations are off
      this.layer.append(item);
    }
  }
}
