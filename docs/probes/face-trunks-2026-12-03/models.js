// Candidate trunks: tfjs graph, input size, pixel normalisation x = (p - mean) / std (p in 0..255), taps and their pooling grid.
'use strict';
const D = '/tmp/hm/x/package/models/';
const MFN = 'MobileFaceNet/MobileFaceNet/';
const MODELS = {
  // Graph starts with the conv: no normalisation inside. MobileFaceNet_TF (sirius-ai) trains on (p - 127.5) / 128; Human feeds 0..1. normcheck.js (train faces, mirror vs other-face cosine of centred embeddings) prefers 0..1: gap 0.850 vs 0.817 for (p-127.5)/128.
  mobilefacenet: { json: D + 'mobilefacenet.json', size: 112, norm: { mean: 0, std: 255 },
    taps: [{ node: MFN + 'Conv2d_4_InvResBlock_5/Add', grid: 4 }, { node: MFN + 'Conv2d_7/add', grid: 2 }],
    final: ['MobileFaceNet/Logits/SpatialSqueeze', 'embeddings'] },
  // The same graph with the Relu fused into each depthwise conv dropped, so its PReLU acts (see tfjs2onnx.js).
  mfnfix: { json: D + 'mobilefacenet.json', size: 112, norm: { mean: 0, std: 255 }, dropDwRelu: true,
    taps: [{ node: MFN + 'Conv2d_4_InvResBlock_5/Add', grid: 4 }, { node: MFN + 'Conv2d_7/add', grid: 2 }],
    final: ['MobileFaceNet/Logits/SpatialSqueeze', 'embeddings'] },
  // Graph subtracts 127.5 and multiplies by 1/128 itself: raw pixels in.
  mobileface: { json: D + 'mobileface.json', size: 112, norm: { mean: 0, std: 1 },
    taps: [{ node: 'add_12', grid: 4 }, { node: 'add_16', grid: 4 }],
    final: ['batchnorm0/add_1'] },
  // No normalisation in the graph; Human multiplies its 0..1 tensor by 255: raw pixels in.
  faceres: { json: D + 'faceres.json', size: 224, norm: { mean: 0, std: 1 },
    taps: [{ node: 'conv_pw_11_relu/clip_by_value', grid: 2 }, { node: 'conv_pw_13_relu/clip_by_value', grid: 1 }],
    final: ['global_pooling/Mean'] },
  // MediaPipe face landmarks (468 points): no normalisation in the graph; MediaPipe feeds 0..1 (checked with the face flag, normcheck-mesh.js).
  facemesh: { json: D + 'facemesh.json', size: 192, norm: { mean: 0, std: 255 },
    taps: [{ node: 'StatefulPartitionedCall/model_1/p_re_lu_12/Relu', grid: 4 }, { node: 'StatefulPartitionedCall/model_1/p_re_lu_15/Relu', grid: 2 }],
    final: ['Identity_1'] },
};
module.exports = { MODELS };
