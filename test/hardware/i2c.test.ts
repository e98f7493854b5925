import { BoardError } from '../../hardware/errors';
import { i2cBusOpener } from '../../hardware/drivers/i2c';

describe('i2c-bus wrapper', () => {
  it('loads the module only when a bus is opened, and opens the promisified bus', async () => {
    const bus = { close: jest.fn() };
    const module = { openPromisified: jest.fn(async () => bus) };
    const load = jest.fn(() => module as never);
    const open = i2cBusOpener(load);
    expect(load).not.toHaveBeenCalled();
    expect(await open(8)).toBe(bus);
    expect(module.openPromisified).toHaveBeenCalledWith(8);
  });

  it('with the installed module, opening is lazy: a missing /dev/i2c-N fails on the first transfer', async () => {
    const bus = await i2cBusOpener()(31);
    await expect(bus.readI2cBlock(0x5a, 0x07, 3, Buffer.alloc(3))).rejects.toThrow(/ENOENT.*\/dev\/i2c-31/);
  });

  it('reports a missing module as BoardError', async () => {
    const open = i2cBusOpener(() => {
      throw new BoardError('the i2c-bus module is not available');
    });
    await expect(open(1)).rejects.toThrow(BoardError);
  });
});
