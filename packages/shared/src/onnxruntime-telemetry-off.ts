/**
 * Import before `onnxruntime-node` (ESM evaluates imports in order). onnxruntime-node 1.30 ships
 * Microsoft's 1DS telemetry on Linux: it records session and error events with a device id in
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db and uploads them when it can
 * reach the internet. A product that promises participants their analysis stays on the operator's
 * machine must not phone home, so it is off unless the operator sets ORT_DISABLE_TELEMETRY=0.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

export const ORT_TELEMETRY_DISABLED = process.env.ORT_DISABLE_TELEMETRY !== '0';
