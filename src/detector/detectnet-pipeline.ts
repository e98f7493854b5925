import { decodeDetectNet } from './decoders/detectnet-v2';
import { groupFaces } from './faces';
import type { DetectNetDecoder } from './manifest';
import { closeAll, greyFrame, type Pipeline, type PipelineContext } from './pipeline';
import { InputPool } from './input-pool';
import { frameToInput, inputDims, tensorSize } from './preprocess';
import { checkInputMeta, checkOutputDims, checkOutputMeta, fixedBatch } from './shape-check';
import type { Detection, RgbFrame } from './types';

export async function createDetectNetPipeline(ctx: PipelineContext, dec: DetectNetDecoder): Promise<Pipeline> {
  const { model } = ctx;
  const labels = model.manifest.labels;
  const opened = await ctx.open('detector', dec.file);
  const { session } = opened;
  const c = labels.length;
  const gh = dec.input.height / dec.stride;
  const gw = dec.input.width / dec.stride;
  let batch: number;
  try {
    batch = fixedBatch(checkInputMeta(session.inputs, dec.input, model.id, 'decoder.input')) ?? 1;
    checkOutputMeta(session.outputs, dec.outputs.coverage, [null, c, gh, gw], model.id, 'decoder.outputs.coverage');
    checkOutputMeta(session.outputs, dec.outputs.bbox, [null, 4 * c, gh, gw], model.id, 'decoder.outputs.bbox');
  } catch (err) {
    await closeAll([opened]);
    throw err;
  }
  const inputs = new InputPool(batch * tensorSize(dec.input));
  const dims = inputDims(dec.input, batch);

  const run = async (frame: RgbFrame): Promise<Detection[]> => {
    const { t, out } = await inputs.with(async (input) => {
      const t = frameToInput(frame, dec.input, input);
      return { t, out: await session.run({ [dec.input.name]: { data: input, dims } }) };
    });
    const cov = out[dec.outputs.coverage];
    const bbox = out[dec.outputs.bbox];
    checkOutputDims(dec.outputs.coverage, cov?.dims, [batch, c, gh, gw], model.id, 'decoder.outputs.coverage');
    checkOutputDims(dec.outputs.bbox, bbox?.dims, [batch, 4 * c, gh, gw], model.id, 'decoder.outputs.bbox');
    return groupFaces(decodeDetectNet(cov!, bbox!, dec, labels, t, frame, ctx.floor));
  };

  return {
    sessions: { detector: opened.provider },
    // One network: all of it is the first stage.
    async find(frame) {
      const found = await run(frame);
      return { faces: found.length, finish: async () => found };
    },
    warmUp: async () => {
      await run(greyFrame(dec.input.width, dec.input.height));
    },
    close: () => session.close(),
  };
}
