import { z } from 'zod';
import { CameraSection } from './sections/camera';
import { DetectorSection } from './sections/detector';
import { defaultDecideMinFacePx, GateSection } from './sections/gate';
import { HardwareSection } from './sections/hardware';
import { DashboardSection, EventLogSection, MqttSection, VoiceSection } from './sections/services';

/**
 * The one config schema. Every TypeScript config type is inferred from it; every section is strict
 * (unknown keys are errors) and fully defaulted, so an empty file is the demo configuration.
 */
export const ConfigSchema = z
  .strictObject({
    site: z.strictObject({ name: z.string().min(1).default('Entrance') }).prefault({}),
    camera: CameraSection.prefault({}),
    detector: DetectorSection.prefault({}),
    gate: GateSection.prefault({}),
    hardware: HardwareSection.prefault({}),
    voice: VoiceSection.prefault({}),
    eventLog: EventLogSection.prefault({}),
    dashboard: DashboardSection.prefault({}),
    mqtt: MqttSection.prefault({}),
    log: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }).prefault({}),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const ev = c.gate.evidence;
    if (ev.agreeFrames > ev.windowFrames) {
      issue(['gate', 'evidence', 'agreeFrames'], `expected at most windowFrames (${ev.windowFrames}), got ${ev.agreeFrames}`);
    } else if (ev.agreeFrames * 2 <= ev.windowFrames) {
      // With K <= N/2 a person could be both masked and unmasked at once.
      issue(['gate', 'evidence', 'agreeFrames'], `expected more than half of windowFrames (> ${ev.windowFrames / 2}), got ${ev.agreeFrames}`);
    }
    const after = c.gate.clearAfterAlert;
    if (after.maskFrames < ev.windowFrames) {
      // A full window of fresh votes: the clear rests on no vote from before it.
      issue(['gate', 'clearAfterAlert', 'maskFrames'], `expected at least evidence.windowFrames (${ev.windowFrames}), got ${after.maskFrames}`);
    }
    const staffMs = c.gate.undecidedStaffMs;
    if (staffMs !== null && staffMs <= c.gate.undecidedPromptMs) {
      // Staff come after the person has been asked: the prompt first, then the notification.
      issue(['gate', 'undecidedStaffMs'], `expected more than gate.undecidedPromptMs (${c.gate.undecidedPromptMs}), or null for never, got ${staffMs}`);
    }
    const z0 = c.gate.zone;
    if (z0.x + z0.width > 1 + 1e-9) issue(['gate', 'zone', 'width'], `expected x + width <= 1, got ${z0.x + z0.width}`);
    if (z0.y + z0.height > 1 + 1e-9) issue(['gate', 'zone', 'height'], `expected y + height <= 1, got ${z0.y + z0.height}`);
    if (z0.width === 0 || z0.height === 0) issue(['gate', 'zone'], 'expected a zone with an area, got width or height 0');
    const minPx = c.gate.decideMinFacePx;
    // A decision size taller than the frame would leave a gate that never decides.
    if (minPx !== 'auto' && minPx > c.camera.height) issue(['gate', 'decideMinFacePx'], `expected at most camera.height (${c.camera.height}), got ${minPx}`);

    // One pin drives one thing.
    const seen = new Map<number, string>();
    for (const group of ['outputs', 'inputs'] as const) {
      for (const [name, p] of Object.entries(c.hardware[group])) {
        if (!p) continue;
        const other = seen.get(p.pin);
        if (other) issue(['hardware', group, name, 'pin'], `expected a pin not used elsewhere, got ${p.pin} (also hardware.${other}.pin)`);
        else seen.set(p.pin, `${group}.${name}`);
      }
    }
    if (c.gate.relayMode === 'hold' && !c.hardware.inputs.passageSensor) {
      issue(['gate', 'relayMode'], 'expected "pulse" when no hardware.inputs.passageSensor is wired, got "hold"');
    }
    if (c.dashboard.enabled && !isLoopback(c.dashboard.host) && !c.dashboard.token) {
      issue(['dashboard', 'token'], `expected a token when the dashboard binds beyond loopback (host ${c.dashboard.host}), got null`);
    }
    if (c.mqtt.password && !c.mqtt.username) issue(['mqtt', 'username'], 'expected a username with mqtt.password, got null');
  })
  .transform((c) => {
    // The relay's crash level follows the door's fail mode unless set explicitly.
    const relay = c.hardware.outputs.relay;
    if (relay && relay.safe === undefined) relay.safe = c.gate.failMode === 'open' ? 'on' : 'off';
    // `auto` decision size follows the working frame width (sections/gate.ts has the formula).
    const decideMinFacePx = c.gate.decideMinFacePx === 'auto' ? defaultDecideMinFacePx(c.camera.width) : c.gate.decideMinFacePx;
    return { ...c, gate: { ...c.gate, decideMinFacePx } };
  });

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
