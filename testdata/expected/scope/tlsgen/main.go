// Command tlsgen writes the scope_tls fixtures: an execution trace with
// CPU samples, and the matching CPU profile, of a process that makes many
// TLS client handshakes (alternately TLS 1.2 and TLS 1.3) against an
// in-process server, from a few goroutines at once.
//
// Standard library only. Usage: tlsgen -trace out.trace -cpu out.pb.gz
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
)

func main() {
	traceOut := flag.String("trace", "tls.trace", "trace output path")
	cpuOut := flag.String("cpu", "tls.cpu.pb.gz", "CPU profile output path")
	n := flag.Int("handshakes", 240, "handshakes per worker")
	workers := flag.Int("workers", 3, "concurrent clients")
	flag.Parse()

	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	addr := srv.Listener.Addr().String()

	tf, err := os.Create(*traceOut)
	if err != nil {
		log.Fatal(err)
	}
	cf, err := os.Create(*cpuOut)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(cf); err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(tf); err != nil {
		log.Fatal(err)
	}

	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < *n; i++ {
				version := uint16(tls.VersionTLS13)
				if i%2 == 0 {
					version = tls.VersionTLS12
				}
				conf := &tls.Config{RootCAs: roots, ServerName: "example.com",
					MinVersion: version, MaxVersion: version}
				// A goroutine per handshake, as net/http does.
				done := make(chan struct{})
				go func() {
					defer close(done)
					conn, err := tls.Dial("tcp", addr, conf)
					if err != nil {
						log.Fatal(err)
					}
					io.WriteString(conn, "x")
					conn.Close()
				}()
				<-done
			}
		}()
	}
	wg.Wait()

	trace.Stop()
	pprof.StopCPUProfile()
	if err := tf.Close(); err != nil {
		log.Fatal(err)
	}
	if err := cf.Close(); err != nil {
		log.Fatal(err)
	}
}
