/**
 * The contract suites against the real drivers on a Jetson, registered by contracts.test.ts only with
 * MASK_GATE_HW=1 (elsewhere nothing is registered, so nothing counts as passed). The hardware section comes
 * from MASK_GATE_HW_CONFIG (JSON, default {"driver":"auto"}); the LED on greenLed's pin and the contact on
 * staffButton's pin are exercised, and the thermometer and display when configured.
 * Run on the board: MASK_GATE_HW=1 npx jest test/hardware/contracts
 */
import { createHardware } from '../../../hardware/create-hardware';
import { HardwareSection, type HardwareConfig } from '../../../src/config/sections/hardware';
import { createLogger } from '../../../src/log';
import { describeDigitalInputContract } from './digital-input.contract';
import { describeDigitalOutputContract } from './digital-output.contract';
import { describeTextDisplayContract } from './text-display.contract';
import { describeThermometerContract } from './thermometer.contract';

export function registerBoardContracts(): void {
  const base: HardwareConfig = HardwareSection.parse({ driver: 'auto', ...JSON.parse(process.env.MASK_GATE_HW_CONFIG ?? '{}') });
  const logger = createLogger('board-test', 'warn');
  const only = (patch: Partial<HardwareConfig>) =>
    createHardware(
      { ...base, outputs: { greenLed: null, redLed: null, amberLed: null, buzzer: null, relay: null }, inputs: { staffButton: null, fireAlarm: null, passageSensor: null }, thermometer: null, display: null, ...patch },
      { logger },
    );
  const led = base.outputs.greenLed ?? { pin: 11, activeLow: false };
  const button = base.inputs.staffButton ?? { pin: 29, activeLow: true, debounceMs: 30 };

  describeDigitalOutputContract(`real ${base.driver} output on pin ${led.pin}`, ({ activeLow, safeLevel }) => ({
    output: only({ outputs: { greenLed: { ...led, activeLow, safe: safeLevel ? 'on' : 'off' }, redLed: null, amberLed: null, buzzer: null, relay: null } }).outputs.greenLed!,
  }));
  describeDigitalInputContract(
    `real ${base.driver} input on pin ${button.pin}`,
    ({ activeLow, debounceMs }) => ({
      input: only({ inputs: { staffButton: { ...button, activeLow, debounceMs }, fireAlarm: null, passageSensor: null } }).inputs.staffButton!,
    }),
    false,
  );
  const t = base.thermometer;
  if (t) {
    describeThermometerContract(
      `MLX90614 on bus ${t.bus}`,
      ({ offsetC }) => ({ thermometer: only({ thermometer: { ...t, offsetC } }).thermometer!, config: { ...t, offsetC } }),
      false,
    );
  }
  const d = base.display;
  if (d && d.columns === 16 && d.rows === 2) {
    describeTextDisplayContract(`HD44780 on bus ${d.bus}`, () => ({ display: only({ display: d }).display! }), false);
  }
}
