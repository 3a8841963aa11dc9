export { probeVideoFile, readVideoFile, outputSize, VideoFileError } from './read-video-file.ts';
export type { ReadVideoFileOptions, VideoFileInfo } from './read-video-file.ts';
