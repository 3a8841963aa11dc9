function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
}

/**
 * Turns getUserMedia failures into text a participant can act on. The DOMException names are the
 * standard ones (https://w3c.github.io/mediacapture-main/#dom-mediadevices-getusermedia).
 */
export function describeMediaError(error: unknown): string {
  const name = errorName(error);
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera and microphone access was blocked. Allow access in your browser (the camera icon in the address bar, or the site settings), then press “Try again”. You can also join without camera and microphone.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera or microphone was found. Connect one and press “Try again”, or join without camera and microphone.';
    case 'NotReadableError':
    case 'AbortError':
      return 'Your camera or microphone is in use by another application, or failed to start. Close the other application and press “Try again”.';
    case 'TypeError':
      return 'This page cannot use the camera here: open it over https (or on localhost).';
    default:
      return `The camera or microphone could not be started${error instanceof Error && error.message ? ` (${error.message})` : ''}. Press “Try again”, or join without camera and microphone.`;
  }
}

/** The same failures when turning the camera back on during a call: the call goes on, the camera stays off. */
export function describeCameraRestartError(error: unknown): string {
  const name = errorName(error);
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera access was blocked, so your camera stays off. Allow it in your browser (the camera icon in the address bar, or the site settings), then press “Turn camera on” again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found, so your camera stays off. Connect one and press “Turn camera on” again.';
    case 'NotReadableError':
    case 'AbortError':
      return 'Your camera is in use by another application, so it stays off. Close the other application and press “Turn camera on” again.';
    default:
      return `Your camera could not be turned back on${error instanceof Error && error.message ? ` (${error.message})` : ''}. Press “Turn camera on” to try again.`;
  }
}

export function sfuUnreachableMessage(sfuUrl: string): string {
  return `Can't reach the media server at ${sfuUrl}. Check that the SFU is running (npm start at the repository root) and that this address is reachable from your browser; operators set it with SFU_PUBLIC_URL and allow this page's origin with SFU_CORS_ORIGINS.`;
}
