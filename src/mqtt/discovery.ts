import type { Topics } from './topics';

/**
 * Home Assistant MQTT discovery: one retained config message per entity under homeassistant/. Every entity
 * shares the device and the availability topic, so HA greys them out when the gate goes offline.
 */
export function discoveryMessages(topics: Topics, site: string, siteName: string, version: string): { topic: string; payload: string }[] {
  const node = `mask_gate_${site.replace(/-/g, '_')}`;
  const device = { identifiers: [node], name: `Mask gate ${siteName}`, manufacturer: 'mask-gate', model: 'Jetson mask gate', sw_version: version };
  const common = { availability_topic: topics.availability, payload_available: 'online', payload_not_available: 'offline', device };
  const entity = (component: string, id: string, cfg: Record<string, unknown>) => ({
    topic: `homeassistant/${component}/${node}/${id}/config`,
    payload: JSON.stringify({ ...common, unique_id: `${node}_${id}`, object_id: `${node}_${id}`, ...cfg }),
  });
  return [
    entity('sensor', 'state', { name: 'State', state_topic: topics.state, value_template: '{{ value_json.state }}', icon: 'mdi:door' }),
    entity('binary_sensor', 'alert', { name: 'Alert', state_topic: topics.state, value_template: "{{ 'ON' if value_json.state.startswith('alert') else 'OFF' }}", device_class: 'safety' }),
    entity('binary_sensor', 'fault', { name: 'Fault', state_topic: topics.state, value_template: "{{ 'ON' if value_json.faults | length > 0 else 'OFF' }}", device_class: 'problem' }),
    entity('sensor', 'cleared', { name: 'Cleared', state_topic: topics.stats, value_template: '{{ value_json.cleared }}', state_class: 'total_increasing', icon: 'mdi:account-check' }),
    entity('sensor', 'alerts', { name: 'Alerts', state_topic: topics.stats, value_template: '{{ value_json.alert }}', state_class: 'total_increasing', icon: 'mdi:account-alert' }),
    entity('sensor', 'fps', { name: 'Camera FPS', state_topic: topics.stats, value_template: '{{ value_json.fps }}', unit_of_measurement: 'fps', entity_category: 'diagnostic' }),
    entity('button', 'open_once', { name: 'Open once', command_topic: topics.cmdOpenOnce, payload_press: 'PRESS', icon: 'mdi:door-open' }),
    entity('switch', 'maintenance', {
      name: 'Maintenance',
      command_topic: topics.cmdMaintenance,
      state_topic: topics.state,
      value_template: "{{ 'ON' if value_json.state == 'maintenance' else 'OFF' }}",
      payload_on: 'ON',
      payload_off: 'OFF',
      icon: 'mdi:wrench',
    }),
  ];
}
