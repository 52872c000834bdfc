// Colour scales for the field map (one place, so the legend and the polygons always agree).
export const SCALES = {
  risk: [['high', '#c62828'], ['moderate', '#f9a825'], ['low', '#9ccc65'], ['none', '#2e7d32'], ['unknown', '#9e9e9e']],
  diagnoses: [['confirmed', '#c62828'], ['suspected', '#f9a825'], ['clear', '#2e7d32']],
  irrigation: [['need', '#1565c0'], ['ok', '#a5d6a7'], ['unknown', '#9e9e9e']],
  harvest: [['locked', '#6a1b9a'], ['open', '#2e7d32']],
};
export const NODE_COLOURS = { online: '#2e7d32', sensor_fault: '#ef6c00', offline: '#c62828', new: '#616161' };
export const DENSITY = ['#fff3e0', '#ffcc80', '#ffa726', '#f4511e', '#b71c1c'];

export function fieldClass(by, p) {
  const s = p.status || {};
  if (by === 'risk') return s.risk || 'unknown';
  if (by === 'diagnoses') {
    if (p.diagnoses.confirmed) return 'confirmed';
    return p.diagnoses.suspected ? 'suspected' : 'clear';
  }
  if (by === 'irrigation') {
    if (!s.irrigation || s.irrigation === 'unknown' || s.irrigation === 'insufficient_data') return 'unknown';
    return s.irrigation_need ? 'need' : 'ok';
  }
  return s.harvest_locked ? 'locked' : 'open';
}

export function colour(by, key) {
  const hit = SCALES[by].find(([k]) => k === key);
  return hit ? hit[1] : '#9e9e9e';
}
