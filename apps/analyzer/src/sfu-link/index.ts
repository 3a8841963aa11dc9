export { connectToSfu, type RosterEvent, type SfuLink, type SfuLinkOptions, type SfuLinkState, type RtpCapabilities, type DtlsParameters } from './sfu-link.ts';
export { applyChange, applySnapshot, dropAll, type CameraChange, type CameraSet, type LinkRemovalReason } from './camera-set.ts';
export { SfuRequestError, sfuRequest } from './request.ts';
export { cameraSignalling, type CameraSignalling } from './camera-signalling.ts';
