export { MLMLoss, createMLMLoss, type MLMLossOptions } from './mlm-loss.js';
export { positionsFromAttentionMask, documentMaskFromSegmentIds } from './positions.js';
export { selectScoredPositions, type ScoredPositions, type ScoredPositionsOptions } from './scored-positions.js';

// Components (register them in a ComponentRegistry of @mlm/components; the trainer does)
export { lossComponents, mlmLossComponent } from './loss-component.js';
