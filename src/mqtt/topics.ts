/** Topic names for one gate: `<prefix>/<site>/...`. */
export interface Topics {
  base: string;
  availability: string;
  state: string;
  stats: string;
  event(kind: string): string;
  cmdMaintenance: string;
  cmdOpenOnce: string;
}

/** "Main Entrance (B)" -> "main-entrance-b": MQTT and Home Assistant safe. */
export function slug(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'gate';
}

export function topicsFor(prefix: string, site: string): Topics {
  const base = `${prefix}/${site}`;
  return {
    base,
    availability: `${base}/availability`,
    state: `${base}/state`,
    stats: `${base}/stats`,
    event: (kind) => `${base}/events/${kind}`,
    cmdMaintenance: `${base}/cmd/maintenance`,
    cmdOpenOnce: `${base}/cmd/open_once`,
  };
}
