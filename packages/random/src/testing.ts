// `@mlm/random/testing`: test doubles. A scripted source replays fixed draws (e.g. the reference's
// worked examples); it belongs in tests, never in a training or generation run.
export { ScriptedRandom, createScriptedRandom } from './scripted-random.js';
