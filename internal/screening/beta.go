package screening

import "math"

// betaInc returns the regularised incomplete beta function I_x(a, b),
// evaluated with the continued fraction of Numerical Recipes (modified
// Lentz), using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where the fraction
// converges faster.
func betaInc(x, a, b float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(x, a, b) / a
	}
	return 1 - front*betaCF(1-x, b, a)/b
}

// betaCF evaluates the continued fraction of the incomplete beta function.
func betaCF(x, a, b float64) float64 {
	const tiny = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 1000; m++ {
		fm := float64(m)
		aa := fm * (b - fm) * x / ((qam + 2*fm) * (a + 2*fm))
		d, c = lentz(aa, d, c)
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + 2*fm) * (qap + 2*fm))
		d, c = lentz(aa, d, c)
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return h
}

// lentz performs one step of the modified Lentz recurrence.
func lentz(aa, d, c float64) (float64, float64) {
	const tiny = 1e-300
	d = 1 + aa*d
	if math.Abs(d) < tiny {
		d = tiny
	}
	c = 1 + aa/c
	if math.Abs(c) < tiny {
		c = tiny
	}
	return 1 / d, c
}

// betaQuantile returns x with I_x(a, b) = p, found by bisection on [0, 1]
// (I_x is monotone in x).
func betaQuantile(p, a, b float64) float64 {
	lo, hi := 0.0, 1.0
	for range 200 {
		mid := (lo + hi) / 2
		if betaInc(mid, a, b) < p {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-14 {
			break
		}
	}
	return (lo + hi) / 2
}

// clopperPearson returns the exact two-sided 95% interval of x successes
// out of n trials.
func clopperPearson(x, n int) (lo, hi float64) {
	const alpha = 0.05
	fx, fn := float64(x), float64(n)
	lo, hi = 0, 1
	if x > 0 {
		lo = betaQuantile(alpha/2, fx, fn-fx+1)
	}
	if x < n {
		hi = betaQuantile(1-alpha/2, fx+1, fn-fx)
	}
	return lo, hi
}
