import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Stage = 'track' | 'align' | 'queue' | 'inference';

/** The analyzer's Prometheus metrics, on their own registry (one per app instance, so tests can make several). */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'moodroom_analyzer_' });
  const stageSeconds = new Histogram({
    name: 'moodroom_analyzer_stage_seconds',
    help: 'Time spent per pipeline stage (track, align: per frame; queue, inference: per window)',
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const framesReceived = new Counter({ name: 'moodroom_analyzer_frames_received_total', help: 'Decoded frames handed to pipelines', registers: [registry] });
  const framesAnalysed = new Counter({ name: 'moodroom_analyzer_frames_analysed_total', help: 'Frames that went through face tracking', registers: [registry] });
  const framesDropped = new Counter({
    name: 'moodroom_analyzer_frames_dropped_total',
    help: 'Frames dropped on purpose: over the analysis rate, or while a stage was busy',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const samplesEmitted = new Counter({
    name: 'moodroom_analyzer_samples_total',
    help: 'Emotion samples produced',
    labelNames: ['face'] as const,
    registers: [registry],
  });
  const windowsSuperseded = new Counter({ name: 'moodroom_analyzer_windows_superseded_total', help: 'Queued windows replaced by a newer window of the same participant', registers: [registry] });
  const pipelineErrors = new Counter({ name: 'moodroom_analyzer_pipeline_errors_total', help: 'Per-frame or per-window failures (the pipeline continued)', registers: [registry] });
  const activePipelines = new Gauge({ name: 'moodroom_analyzer_active_pipelines', help: 'Participants being analysed now', registers: [registry] });
  const queueDepth = new Gauge({ name: 'moodroom_analyzer_inference_queue_depth', help: 'Windows waiting for an inference worker', registers: [registry] });
  const loadLevel = new Gauge({ name: 'moodroom_analyzer_load_level', help: '0 = full analysis rate; higher = stepped down under overload', registers: [registry] });
  const effectiveFps = new Gauge({ name: 'moodroom_analyzer_effective_fps', help: 'Analysis frame rate every pipeline runs at now', registers: [registry] });

  return {
    registry,
    stageSeconds,
    framesReceived,
    framesAnalysed,
    framesDropped,
    samplesEmitted,
    windowsSuperseded,
    pipelineErrors,
    activePipelines,
    queueDepth,
    loadLevel,
    effectiveFps,
  };
}
export type AnalyzerMetrics = ReturnType<typeof createMetrics>;
