import { fromVisionAligner, fromVisionTracker, type VisionAligner, type VisionFaceTracker } from './adapters/vision.ts';
import type { AnalyzerFaceDeps } from './app.ts';

/**
 * Loads the face models (packages/vision) once and returns the analyzer's face ports: a fresh
 * tracker per participant and the shared aligner. Used by the live service and the file CLI alike.
 */
export async function loadFaceDeps(options: { modelsDir?: string } = {}): Promise<AnalyzerFaceDeps<unknown>> {
  // Loaded by specifier so the analyzer typechecks independently of packages/vision's API details.
  const visionSpecifier = '@moodroom/vision';
  const visionPkg = (await import(visionSpecifier).catch((err: unknown) => {
    throw new Error(`${visionSpecifier} is not available (${err instanceof Error ? err.message : err}): run npm run setup at the repository root`);
  })) as {
    createVision(options?: { threads?: number; modelsDir?: string }): Promise<VisionAligner<unknown>>;
    FaceTracker: new (vision: unknown) => VisionFaceTracker<unknown>;
  };
  const vision = await visionPkg.createVision({ threads: 1, ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}) });
  return {
    createTracker: () => fromVisionTracker(new visionPkg.FaceTracker(vision)),
    align: fromVisionAligner(vision),
  };
}
