/**
 * The velocity Verlet (leapfrog) integrator of Hamiltonian dynamics with kinetic energy
 * K(r) = ½ rᵀ M⁻¹ r, for a diagonal (vector) or dense (matrix) inverse mass matrix M⁻¹.
 * The potential's gradient is carried in the state, so a step costs one gradient evaluation.
 */
import { np, type Array as NDArray } from "../../core/index.js";

/** A point of phase space with the potential energy and its gradient at the position. */
export interface IntegratorState {
  readonly z: NDArray;
  readonly r: NDArray;
  readonly potential: NDArray;
  readonly grad: NDArray;
}

/** The potential energy U(z) and its gradient. */
export type PotentialAndGrad = (z: NDArray) => [NDArray, NDArray];

/** The velocity M⁻¹ r (of each row, when `r` holds several momenta as rows). */
export function velocity(invMass: NDArray, r: NDArray): NDArray {
  // M⁻¹ is symmetric, so r M⁻¹ is the velocity of every row of r
  return invMass.ndim === 1 ? np.multiply(invMass, r) : np.matmul(r, invMass);
}

/** The kinetic energy ½ rᵀ M⁻¹ r. */
export function kineticEnergy(invMass: NDArray, r: NDArray): NDArray {
  return np.multiply(0.5, np.sum(np.multiply(r, velocity(invMass, r))));
}

/** A momentum draw r = L ε with L Lᵀ = M, from standard normal noise ε. */
export function momentumFromNoise(massSqrt: NDArray, eps: NDArray): NDArray {
  return massSqrt.ndim === 1 ? np.multiply(massSqrt, eps) : np.matmul(massSqrt, eps);
}

/** One leapfrog step of signed size `h`: half kick, drift, new gradient, half kick. */
export function leapfrog(potentialAndGrad: PotentialAndGrad, invMass: NDArray, s: IntegratorState, h: NDArray | number): IntegratorState {
  const half = np.multiply(0.5, h);
  const rHalf = np.subtract(s.r, np.multiply(half, s.grad));
  const z = np.add(s.z, np.multiply(h, velocity(invMass, rHalf)));
  const [potential, grad] = potentialAndGrad(z);
  const r = np.subtract(rHalf, np.multiply(half, grad));
  return { z, r, potential, grad };
}
