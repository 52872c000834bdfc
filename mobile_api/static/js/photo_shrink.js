// Photos made small on the phone before they are sent or kept in the outbox. A 12 MP camera photo
// is ~2.4 MB: about 48 s on a 400 kbit/s rural link before the server even starts. The classifier
// looks at 192 px and an officer needs far less than 12 MP, so the long edge is brought down to
// 1280 px (the server keeps at most 2048 px) and re-encoded as JPEG: ~150-300 kB.
//
// Re-encoding drops the EXIF, and with it the GPS position the server would otherwise read from
// the photo; `gpsFromJpeg` reads it from the original here so the form can send it as fields
// (`gps_lat`, `gps_lon`), used by the server only when the farmer ticks "share location".

export const MAX_EDGE = 1280;
export const QUALITY = 0.85;
const EXIF_BYTES = 128 * 1024;  // APP1 is at most 64 kB and comes first: the rest of the file is never read
const MAX_SEGMENTS = 32;
const MAX_ENTRIES = 512;

// `enabled: false` sends the original photo (the benchmark's baseline: `?noshrink` in the address).
export const settings = { enabled: !new URLSearchParams(globalThis.location?.search || "").has("noshrink") };

// The GPS position in a JPEG's EXIF as {lat, lon} (degrees, south and west negative), or null.
// Bounded and defensive: every offset is checked against the buffer, loops are capped, and any
// surprise answers null, never an exception (a photo without a position is still a photo).
export function gpsFromJpeg(buffer) {
  try {
    const v = new DataView(buffer);
    if (v.byteLength < 4 || v.getUint16(0) !== 0xffd8) return null;
    let off = 2;
    for (let n = 0; n < MAX_SEGMENTS && off + 4 <= v.byteLength; n++) {
      if (v.getUint8(off) !== 0xff) return null;
      const marker = v.getUint8(off + 1);
      if (marker === 0xda || marker === 0xd9) return null;  // image data: no EXIF before it
      const len = v.getUint16(off + 2);
      if (len < 2) return null;
      if (marker === 0xe1 && len >= 16 && off + 2 + len <= v.byteLength && ascii(v, off + 4, 6) === "Exif\0\0") {
        const gps = tiffGps(new DataView(buffer, off + 10, len - 8));
        if (gps) return gps;
      }
      off += 2 + len;
    }
  } catch { /* malformed: no position */ }
  return null;
}

function ascii(v, at, n) {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(v.getUint8(at + i));
  return s;
}

// TIFF header (II or MM), IFD0 → the GPS IFD (tag 0x8825) → GPSLatitude(Ref), GPSLongitude(Ref).
function tiffGps(v) {
  const order = ascii(v, 0, 2);
  if (order !== "II" && order !== "MM") return null;
  const le = order === "II";
  if (v.getUint16(2, le) !== 42) return null;
  const ifd0 = entries(v, v.getUint32(4, le), le);
  const ptr = ifd0?.get(0x8825);
  if (!ptr) return null;
  const gps = entries(v, v.getUint32(ptr.at, le), le);
  if (!gps) return null;
  const lat = degrees(v, gps.get(2), le);
  const lon = degrees(v, gps.get(4), le);
  if (lat === null || lon === null) return null;
  const signed = (deg, tag, neg) => (ref(v, gps.get(tag)) === neg ? -deg : deg);
  const out = { lat: round6(signed(lat, 1, "S")), lon: round6(signed(lon, 3, "W")) };
  if (!(Math.abs(out.lat) <= 90 && Math.abs(out.lon) <= 180)) return null;
  return out;
}

// An IFD's entries as Map(tag → {type, count, at}), `at` being where the value (or its offset) is.
function entries(v, start, le) {
  if (start < 8 || start + 2 > v.byteLength) return null;
  const count = v.getUint16(start, le);
  if (count > MAX_ENTRIES || start + 2 + count * 12 > v.byteLength) return null;
  const map = new Map();
  for (let i = 0; i < count; i++) {
    const e = start + 2 + i * 12;
    map.set(v.getUint16(e, le), { type: v.getUint16(e + 2, le), count: v.getUint32(e + 4, le), at: e + 8 });
  }
  return map;
}

// Degrees from three RATIONALs (degrees, minutes, seconds), or null.
function degrees(v, entry, le) {
  if (!entry || (entry.type !== 5 && entry.type !== 10) || entry.count < 3) return null;
  const at = v.getUint32(entry.at, le);
  if (at + 24 > v.byteLength) return null;
  const part = (i) => {
    const signed = entry.type === 10;
    const num = signed ? v.getInt32(at + i * 8, le) : v.getUint32(at + i * 8, le);
    const den = signed ? v.getInt32(at + i * 8 + 4, le) : v.getUint32(at + i * 8 + 4, le);
    return den === 0 ? NaN : num / den;
  };
  const deg = part(0) + part(1) / 60 + part(2) / 3600;
  return Number.isFinite(deg) ? deg : null;
}

// An ASCII reference ("N"/"S", "E"/"W") kept inline in the entry.
function ref(v, entry) {
  if (!entry || entry.type !== 2 || entry.count < 1) return "";
  return String.fromCharCode(v.getUint8(entry.at)).toUpperCase();
}

const round6 = (x) => Math.round(x * 1e6) / 1e6;

async function encode(bitmap, w, h) {
  if (typeof OffscreenCanvas !== "undefined") {
    const canvas = new OffscreenCanvas(w, h);
    draw(canvas.getContext("2d"), bitmap, w, h);
    return canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
  }
  const canvas = Object.assign(document.createElement("canvas"), { width: w, height: h });
  draw(canvas.getContext("2d"), bitmap, w, h);
  return new Promise((ok) => canvas.toBlob(ok, "image/jpeg", QUALITY));
}

function draw(ctx, bitmap, w, h) {
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(bitmap, 0, 0, w, h);
}

// One photo, upright (EXIF orientation applied while decoding) and at most MAX_EDGE px long;
// the original when it cannot be decoded here (the server still reads it) or is already smaller.
export async function shrink(file) {
  if (!settings.enabled) return file;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return file;
  }
  try {
    const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const blob = await encode(bitmap, w, h);
    if (!blob || blob.size >= file.size) return file;
    const name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
    return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified || Date.now() });
  } catch {
    return file;
  } finally {
    bitmap.close();
  }
}

// The photos made small one at a time (a phone holds one decoded 12 MP photo at once, not five),
// and the first GPS position found in the originals' EXIF (the server's own rule), or null.
export async function shrinkAll(files) {
  let gps = null;
  const small = [];
  for (const file of files) {
    if (!gps) gps = gpsFromJpeg(await file.slice(0, EXIF_BYTES).arrayBuffer().catch(() => new ArrayBuffer(0)));
    small.push(await shrink(file));
  }
  return { files: small, gps };
}
