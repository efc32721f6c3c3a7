// Jest environment for tests that run onnxruntime-node. Jest runs each test file in its own vm
// context, whose typed-array constructors differ from the main context's; the native binding
// creates its output arrays in the main context, so onnxruntime-common's `instanceof
// Float32Array` check (inside session.run) fails with "A float32 tensor's data must be type of
// function Float32Array()". Sharing the main context's typed arrays with the test context
// removes the mismatch. jest.config.js sets this as the environment of every project.
import NodeEnvironment from 'jest-environment-node';

const TYPED_ARRAYS = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
};

export default class OnnxTestEnvironment extends NodeEnvironment {
  constructor(...args: ConstructorParameters<typeof NodeEnvironment>) {
    super(...args);
    Object.assign(this.global, TYPED_ARRAYS);
  }
}
