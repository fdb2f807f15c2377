// Polls: the card pinned over the chat (vote, live tallies, countdown, final results)
// and the host's "Start a poll" form.
import { fromTemplate, setMessage } from "./dom.js";
import { formatClock, formatNumber, formatPercent } from "./strings.js";

const MIN_OPTIONS = 2;
const MAX_OPTIONS = 5;

export class PollCard {
  /** @param {object} room  t, isHost(), canChat(), isOpenForActions(), request(frame, context) */
  constructor(root, room) {
    this.root = root;
    this.room = room;
    this.slot = root.querySelector("[data-poll-slot]");
    this.poll = null;
    this.card = null;
    this.timer = null;
    this.onChange = () => {};
  }

  get openPoll() {
    return this.poll?.status === "open" ? this.poll : null;
  }

  /** Show a poll (open or closed); null removes an open one but keeps closed results. */
  show(poll) {
    if (!poll) {
      if (this.poll?.status === "open") this.dismiss();
      return;
    }
    const previous = this.poll;
    this.poll = {
      ...poll,
      // Frames to everyone carry no your_vote; keep the one this viewer knows.
      your_vote: poll.your_vote ?? (previous?.id === poll.id ? previous.your_vote : null),
    };
    if (!this.card || previous?.id !== poll.id) this.build();
    this.update();
    this.onChange();
  }

  results({ poll_id: pollId, total_votes: total, options }) {
    if (!this.poll || this.poll.id !== pollId || !Array.isArray(options)) return;
    const votes = new Map(options.map((option) => [option.id, option.votes]));
    this.poll.total_votes = total;
    for (const option of this.poll.options) {
      if (votes.has(option.id)) option.votes = votes.get(option.id);
    }
    this.update();
  }

  voted(pollId, optionId) {
    if (!this.poll || this.poll.id !== pollId) return;
    this.poll.your_vote = optionId;
    this.update();
  }

  error(message) {
    if (this.card) setMessage(this.card.querySelector("[data-poll-error]"), message);
  }

  dismiss() {
    window.clearInterval(this.timer);
    this.card?.remove();
    this.card = null;
    this.poll = null;
    this.onChange();
  }

  build() {
    window.clearInterval(this.timer);
    this.card?.remove();
    const card = fromTemplate(this.root, "poll-card");
    card.dataset.pollId = String(this.poll.id);
    card.querySelector("[data-poll-question-text]").textContent = this.poll.question;
    const list = card.querySelector("[data-poll-options]");
    for (const option of this.poll.options) {
      const item = fromTemplate(this.root, "poll-option");
      const button = item.querySelector("[data-poll-option]");
      button.dataset.optionId = String(option.id);
      item.querySelector("[data-poll-option-text]").textContent = option.text;
      list.append(item);
    }
    list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-poll-option]");
      if (button && !button.disabled) this.vote(Number(button.dataset.optionId));
    });
    card.querySelector("[data-poll-close]").addEventListener("click", () => {
      this.room.request({ type: "poll.close", poll_id: this.poll.id }, { area: "poll" });
    });
    card.querySelector("[data-poll-dismiss]").addEventListener("click", () => {
      this.dismiss();
      this.root.querySelector("[data-room-messages]")?.focus();
    });
    this.card = card;
    this.slot.replaceChildren(card);
    this.timer = window.setInterval(() => this.updateTimer(), 1000);
  }

  vote(optionId) {
    const poll = this.openPoll;
    if (!poll || poll.your_vote) return;
    setMessage(this.card.querySelector("[data-poll-error]"), "");
    this.room.request({ type: "poll.vote", poll_id: poll.id, option_id: optionId }, { area: "poll" });
  }

  /** Re-draw tallies and controls (also when roles or the connection change). */
  update() {
    const { poll, card } = this;
    if (!poll || !card) return;
    const t = this.room.t;
    const open = poll.status === "open";
    const total = Math.max(0, Number(poll.total_votes) || 0);
    const best = Math.max(0, ...poll.options.map((option) => option.votes ?? 0));
    const canVote = open && !poll.your_vote && this.room.canChat() && this.room.isOpenForActions() && !this.closesPassed();
    card.classList.toggle("room-poll--closed", !open);
    card.querySelector("[data-poll-state]").textContent = open ? t("poll") : t("poll_final");
    for (const option of poll.options) {
      const button = card.querySelector(`[data-poll-option][data-option-id="${option.id}"]`);
      if (!button) continue;
      const votes = Math.max(0, Number(option.votes) || 0);
      const fraction = total ? votes / total : 0;
      button.style.setProperty("--share", String(Math.round(fraction * 1000) / 10));
      const percent = formatPercent(fraction);
      button.querySelector("[data-poll-option-share]").textContent = percent;
      button.setAttribute("aria-label", t("poll_option_votes", { text: option.text, percent, count: formatNumber(votes) }));
      button.disabled = !canVote;
      button.classList.toggle("room-poll__option--mine", poll.your_vote === option.id);
      button.classList.toggle("room-poll__option--winner", !open && votes > 0 && votes === best);
      if (poll.your_vote === option.id) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
    card.querySelector("[data-poll-total]").textContent = t("poll_votes", { count: formatNumber(total) });
    card.querySelector("[data-poll-voted]").hidden = !poll.your_vote;
    card.querySelector("[data-poll-close]").hidden = !(open && this.room.isHost() && this.room.isOpenForActions());
    card.querySelector("[data-poll-dismiss]").hidden = open;
    this.updateTimer();
  }

  closesPassed() {
    const closesAt = Date.parse(this.poll?.closes_at ?? "");
    return Number.isFinite(closesAt) && closesAt <= Date.now();
  }

  updateTimer() {
    const { poll, card } = this;
    if (!poll || !card) return;
    const timer = card.querySelector("[data-poll-timer]");
    if (poll.status !== "open") {
      timer.textContent = "";
      window.clearInterval(this.timer);
      return;
    }
    const closesAt = Date.parse(poll.closes_at ?? "");
    if (!Number.isFinite(closesAt)) {
      timer.textContent = "";
      return;
    }
    const seconds = (closesAt - Date.now()) / 1000;
    if (seconds > 0) {
      timer.textContent = this.room.t("poll_closes_in", { time: formatClock(seconds) });
    } else {
      timer.textContent = this.room.t("poll_closing");
      // Voting time is over; the server's poll.closed brings the final results.
      for (const button of card.querySelectorAll("[data-poll-option]")) button.disabled = true;
    }
  }
}

export class PollForm {
  /** @param {object} room  t, request(frame, context) */
  constructor(root, room) {
    this.root = root;
    this.room = room;
    this.section = root.querySelector("[data-poll-tools]");
    this.form = root.querySelector("[data-poll-form]");
    this.note = root.querySelector("[data-poll-form-note]");
    this.question = root.querySelector("[data-poll-question]");
    this.fields = root.querySelector("[data-poll-option-fields]");
    this.addButton = root.querySelector("[data-poll-add-option]");
    this.duration = root.querySelector("[data-poll-duration]");
    this.error = root.querySelector("[data-poll-form-error]");
    this.submitButton = root.querySelector("[data-poll-start]");
    this.waiting = false;

    this.reset();
    this.addButton.addEventListener("click", () => {
      this.addField()?.querySelector("input").focus();
    });
    this.fields.addEventListener("click", (event) => {
      const remove = event.target.closest("[data-poll-remove-option]");
      if (!remove || this.fields.children.length <= MIN_OPTIONS) return;
      const item = remove.closest("li");
      const focusNext = item.nextElementSibling ?? item.previousElementSibling;
      item.remove();
      this.renumber();
      focusNext?.querySelector("input")?.focus();
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  reset() {
    this.question.value = "";
    this.fields.replaceChildren();
    for (let index = 0; index < MIN_OPTIONS; index += 1) this.addField();
    setMessage(this.error, "");
  }

  addField() {
    if (this.fields.children.length >= MAX_OPTIONS) return null;
    const item = fromTemplate(this.root, "poll-option-field");
    this.fields.append(item);
    this.renumber();
    return item;
  }

  renumber() {
    const items = [...this.fields.children];
    items.forEach((item, index) => {
      const id = `room-poll-option-${index + 1}`;
      item.querySelector("input").id = id;
      const label = item.querySelector("[data-poll-option-label]");
      label.htmlFor = id;
      label.textContent = this.room.t("poll_answer_label", { number: formatNumber(index + 1) });
      item.querySelector("input").placeholder = label.textContent;
      item.querySelector("[data-poll-remove-option]").disabled = items.length <= MIN_OPTIONS;
    });
    this.addButton.disabled = items.length >= MAX_OPTIONS;
  }

  /** Show the form to the host; disable it while a poll is open or offline. */
  configure({ visible, pollOpen, online }) {
    this.section.hidden = !visible;
    this.note.hidden = !pollOpen;
    for (const control of this.form.elements) control.disabled = pollOpen || !online;
    if (!pollOpen && online) this.renumber(); // restores the add/remove limits
  }

  submit() {
    const question = this.question.value.trim();
    const options = [...this.fields.querySelectorAll("input")].map((input) => input.value.trim()).filter(Boolean);
    if (!question) {
      this.question.focus();
      return;
    }
    if (options.length < MIN_OPTIONS) {
      [...this.fields.querySelectorAll("input")].find((input) => !input.value.trim())?.focus();
      return;
    }
    setMessage(this.error, "");
    const sent = this.room.request(
      { type: "poll.create", question, options, duration_seconds: Number(this.duration.value) },
      { area: "poll-form" },
    );
    if (sent) this.waiting = true;
  }

  /** A poll opened: if it is ours, clear the form. */
  opened() {
    if (!this.waiting) return;
    this.waiting = false;
    this.reset();
  }

  refused(message) {
    this.waiting = false;
    setMessage(this.error, message);
  }
}
