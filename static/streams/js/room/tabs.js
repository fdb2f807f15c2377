// ARIA tabs (Chat, Requests, Moderation): arrow keys, Home and End move between the
// visible tabs and select them; one tab stop for the whole list.

export class Tabs {
  constructor(root) {
    this.root = root;
    this.list = root.querySelector("[data-room-tabs]");
    this.list.addEventListener("click", (event) => {
      const tab = event.target.closest('[role="tab"]');
      if (tab) this.select(tab.dataset.roomTab);
    });
    this.list.addEventListener("keydown", (event) => this.onKey(event));
  }

  tabs() {
    return [...this.list.querySelectorAll('[role="tab"]')].filter((tab) => !tab.hidden);
  }

  get current() {
    return this.list.querySelector('[role="tab"][aria-selected="true"]')?.dataset.roomTab;
  }

  select(name, { focus = false } = {}) {
    for (const tab of this.list.querySelectorAll('[role="tab"]')) {
      const selected = tab.dataset.roomTab === name;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      this.root.querySelector(`#${tab.getAttribute("aria-controls")}`).hidden = !selected;
      if (selected && focus) tab.focus();
    }
  }

  /** Show or hide a tab; hiding the selected one goes back to the first. */
  setVisible(name, visible) {
    const tab = this.list.querySelector(`[data-room-tab="${name}"]`);
    if (!tab || tab.hidden === !visible) return;
    tab.hidden = !visible;
    if (!visible && this.current === name) this.select(this.tabs()[0].dataset.roomTab);
  }

  onKey(event) {
    const tabs = this.tabs();
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const rtl = getComputedStyle(this.list).direction === "rtl";
    let next = null;
    if (event.key === (rtl ? "ArrowLeft" : "ArrowRight")) next = (index + 1) % tabs.length;
    if (event.key === (rtl ? "ArrowRight" : "ArrowLeft")) next = (index - 1 + tabs.length) % tabs.length;
    if (event.key === "Home") next = 0;
    if (event.key === "End") next = tabs.length - 1;
    if (next === null) return;
    event.preventDefault();
    this.select(tabs[next].dataset.roomTab, { focus: true });
  }
}
