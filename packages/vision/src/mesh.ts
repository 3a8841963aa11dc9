/**
 * Indices into MediaPipe's 468-point canonical face mesh. "Right"/"left" are the subject's: on an
 * unmirrored image the right eye is on the image's left.
 */
export const MESH = {
  /** Outer corner of the right eye / left eye: MediaPipe's rotation vector for the tracking ROI. */
  rightEyeOuter: 33,
  leftEyeOuter: 263,
  rightEyeInner: 133,
  leftEyeInner: 362,
  noseTip: 1,
  mouthRight: 61,
  mouthLeft: 291,
  upperLipInner: 13,
  lowerLipInner: 14,
  rightEyeContour: [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246],
  leftEyeContour: [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466],
  lipsOuter: [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185],
} as const;

export const MESH_POINTS = 468;
