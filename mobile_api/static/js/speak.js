// "Đọc to": reads an advice card or alert aloud with the browser's speech synthesis, for farmers with
// poor eyesight or little reading. One module for every card: `readAloud(card)` adds the button to
// a card, and the button stays hidden on phones with no voice for the app's language (Vietnamese
// first) — a button that says nothing, or reads Vietnamese with an English voice, is worse than none.
import { getLang, locale, t } from "./i18n.js";
import { el, svg } from "./ui.js";

const VOICE_WAIT_MS = 2000; // Chrome on Android lists its voices a moment after the page loads
// A loudspeaker with sound waves (drawn, not an emoji: some phones have no emoji font).
const SPEAKER = "M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 7.97v8.05A4.47 4.47 0 0 0 16.5 12zM14 3.23v2.06a7 7 0 0 1 0 13.42v2.06a9 9 0 0 0 0-17.54z";
let voicesReady = null;

function synth() {
  return typeof window !== "undefined" && "speechSynthesis" in window && "SpeechSynthesisUtterance" in window
    ? window.speechSynthesis : null;
}

// The voices once the browser has listed them (an empty list when it never does).
function voices() {
  const s = synth();
  if (!s) return Promise.resolve([]);
  voicesReady ??= new Promise((resolve) => {
    const now = s.getVoices();
    if (now.length) { resolve(now); return; }
    const done = () => resolve(s.getVoices());
    s.addEventListener?.("voiceschanged", done, { once: true });
    setTimeout(done, VOICE_WAIT_MS);
  });
  return voicesReady;
}

// The phone's voice for the app's language ("vi" matches vi-VN, vi_VN), or null.
export async function voiceFor(lang = getLang()) {
  const wanted = lang.toLowerCase();
  const all = await voices();
  const same = all.filter((v) => (v.lang || "").toLowerCase().replace("_", "-").split("-")[0] === wanted);
  return same.find((v) => v.localService) || same[0] || null;
}

// What a card says, without its buttons and links (their labels are not advice).
export function cardText(card) {
  const copy = card.cloneNode(true);
  for (const e of copy.querySelectorAll("button, a.button, select, input, textarea, [aria-hidden='true']")) e.remove();
  return copy.textContent.replace(/\s+/g, " ").trim();
}

export function speak(text, voice) {
  const s = synth();
  if (!s || !voice || !text) return;
  s.cancel(); // one card at a time: a second press restarts instead of queueing
  const u = new SpeechSynthesisUtterance(text);
  u.voice = voice;
  u.lang = voice.lang || locale();
  u.rate = 0.9; // a little slower than default: words a listener can follow in the field
  s.speak(u);
}

// Adds the "Đọc to" button to `card` (hidden until a voice for the language is found) and returns it.
export function readAloud(card, what = () => cardText(card)) {
  const icon = svg("svg", { viewBox: "0 0 24 24", width: "20", height: "20", "aria-hidden": "true", focusable: "false" });
  icon.append(svg("path", { fill: "currentColor", d: SPEAKER }));
  const button = el("button", { type: "button", class: "read-aloud", hidden: true }, icon, t("read_aloud"));
  voiceFor().then((voice) => {
    if (!voice) return;
    button.hidden = false;
    button.addEventListener("click", () => speak(what(), voice));
  });
  card.append(button);
  return card;
}
