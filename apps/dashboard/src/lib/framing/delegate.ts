export type Delegate = 'GPU' | 'CPU';

/**
 * Which FaceLandmarker delegates to try, in order. The GPU delegate is the fast one on a real GPU,
 * but where WebGL is emulated in software (SwiftShader, llvmpipe: headless browsers, VMs, blocked
 * drivers) it was ~10x slower than the WASM CPU path here (≈200 ms vs ≈18 ms a frame), so those
 * go straight to the CPU. Without WebGL at all the CPU path is still worth a try.
 */
export function delegateOrder(webglRenderer: string | null): Delegate[] {
  if (!webglRenderer || /swiftshader|llvmpipe|softpipe|software/i.test(webglRenderer)) return ['CPU'];
  return ['GPU', 'CPU'];
}
