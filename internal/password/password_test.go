package password

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

var fast = Params{MemoryKiB: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h, err := Hash(ctx, "correct horse battery", Default)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash=%q, want argon2id with default parameters", h)
	}
	ok, rehash, err := Verify(ctx, "correct horse battery", h, Default)
	if err != nil || !ok || rehash {
		t.Errorf("Verify(right)=%v,%v,%v, want true,false,nil", ok, rehash, err)
	}
	if ok, _, _ := Verify(ctx, "correct horse batterz", h, Default); ok {
		t.Error("Verify(wrong)=true")
	}
}

func TestVerifyAsksForRehashWhenWeaker(t *testing.T) {
	ctx := context.Background()
	h, _ := Hash(ctx, "correct horse battery", fast)
	ok, rehash, err := Verify(ctx, "correct horse battery", h, Default)
	if err != nil || !ok || !rehash {
		t.Errorf("Verify=%v,%v,%v, want true,true,nil", ok, rehash, err)
	}
}

func TestVerifyRejectsMalformed(t *testing.T) {
	for _, h := range []string{"", "$2a$10$abc", "$argon2id$v=19$m=x$a$b", "$argon2id$v=18$m=1,t=1,p=1$AAAA$AAAA"} {
		if _, _, err := Verify(context.Background(), "x", h, Default); err == nil {
			t.Errorf("Verify(%q) err=nil", h)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		pw   string
		want bool
	}{
		{"short", false},
		{"password", false},
		{"Password123", false},
		{"12345678", false},
		{strings.Repeat("x", MaxLength+1), false},
		{"correct horse battery", true},
		{"ñandú-lluvia", true},
		{strings.Repeat("ab", 32), true},
	}
	for _, tt := range tests {
		err := Check(tt.pw)
		if (err == nil) != tt.want {
			t.Errorf("Check(%q)=%v, want ok=%v", tt.pw, err, tt.want)
		}
		if err != nil && haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("Check(%q) kind=%v", tt.pw, haven.ErrorKind(err))
		}
	}
}

// TestVerifyRefusesFastWhenHashingIsSaturated: with every hashing slot
// busy and maxWaiting checks queued, one more check is refused at once
// (Unavailable) rather than queued behind them; once slots free up, the
// queued checks run.
func TestVerifyRefusesFastWhenHashingIsSaturated(t *testing.T) {
	if cap(slots) != max(runtime.GOMAXPROCS(0), 1) {
		t.Errorf("%d hashing slots, want one per core (%d)", cap(slots), runtime.GOMAXPROCS(0))
	}
	h, err := Hash(context.Background(), "a long pass phrase", fast)
	if err != nil {
		t.Fatal(err)
	}
	for range cap(slots) {
		slots <- struct{}{}
	}
	var wg sync.WaitGroup
	for range maxWaiting {
		wg.Go(func() { Verify(context.Background(), "a long pass phrase", h, fast) })
	}
	for waiting.Load() < maxWaiting {
		runtime.Gosched()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _, err = Verify(ctx, "a long pass phrase", h, fast)
	if haven.ErrorKind(err) != haven.Unavailable || ctx.Err() != nil {
		t.Errorf("Verify with hashing saturated: err=%v, ctx.Err=%v; want Unavailable before the deadline", err, ctx.Err())
	}
	for range cap(slots) {
		<-slots
	}
	wg.Wait()
	if ok, _, err := Verify(context.Background(), "a long pass phrase", h, fast); !ok || err != nil {
		t.Errorf("Verify after the flood=%v,%v, want true", ok, err)
	}
}
