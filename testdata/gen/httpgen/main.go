// Command httpgen writes an execution trace of an HTTP workload for the
// regiongraph fixtures: an HTTP/1.1 front server whose handler calls an
// HTTPS backend by host name, so that the trace shows inbound requests,
// outbound round trips, DNS lookups (through an in-process DNS server),
// dials, TLS 1.3 handshakes, the connections' read and write loops, a
// contended mutex, GC assists and a helper goroutine per request.
//
// Standard library only. Usage: httpgen -o out.trace [-requests N]
package main

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/trace"
	"strings"
	"sync"
	"time"
)

// backendName is a name the httptest certificate is valid for; the
// in-process DNS server resolves it to 127.0.0.1.
const backendName = "example.com"

func main() {
	out := flag.String("o", "http.trace", "trace output path")
	requests := flag.Int("requests", 200, "inbound requests to serve")
	clients := flag.Int("clients", 6, "concurrent inbound clients")
	flag.Parse()

	dnsAddr := startDNS()
	backend := startBackend()
	_, port, _ := net.SplitHostPort(backend.Listener.Addr().String())
	backendURL := "https://" + backendName + ":" + port + "/data"

	resolver := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", dnsAddr)
		},
	}
	dialer := &net.Dialer{Resolver: resolver, Timeout: 5 * time.Second}
	tlsConf := backend.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	tlsConf.MinVersion = tls.VersionTLS13
	outbound := &http.Client{Transport: &http.Transport{
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tlsConf,
		MaxIdleConnsPerHost: 2,
	}}

	var mu sync.Mutex
	var shared []byte
	front := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A helper goroutine computes part of the answer.
		done := make(chan int)
		go func() {
			sum := 0
			for i := 0; i < 2000; i++ {
				sum += len(make([]byte, 64))
			}
			done <- sum
		}()
		resp, err := outbound.Get(backendURL)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			<-done
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// A contended lock, held while allocating (GC assists).
		mu.Lock()
		shared = append(shared[:0], body...)
		garbage := make([][]byte, 0, 64)
		for i := 0; i < 64; i++ {
			garbage = append(garbage, make([]byte, 4096))
		}
		mu.Unlock()
		fmt.Fprintf(w, "%d %d %d\n", len(body), <-done, len(garbage))
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go front.Serve(ln)

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	var wg sync.WaitGroup
	work := make(chan int)
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			for i := range work {
				req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/", nil)
				if i%7 == 0 {
					req.Close = true
				}
				resp, err := client.Do(req)
				if err != nil {
					log.Printf("client %d: %v", c, err)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}(c)
	}
	for i := 0; i < *requests; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// startBackend serves HTTPS (HTTP/1.1 only); some responses close the
// connection so that the front server dials again.
func startBackend() *httptest.Server {
	var n int
	var mu sync.Mutex
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		closeIt := n%5 == 0
		mu.Unlock()
		if closeIt {
			w.Header().Set("Connection", "close")
		}
		time.Sleep(200 * time.Microsecond)
		io.WriteString(w, strings.Repeat("backend data ", 200))
	}))
	ts.StartTLS()
	return ts
}

// startDNS answers A queries for backendName with 127.0.0.1 and every other
// query with an empty answer, over UDP on a local port.
func startDNS() string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		buf := make([]byte, 512)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := dnsAnswer(buf[:n]); resp != nil {
				pc.WriteTo(resp, addr)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// dnsAnswer builds the response to one DNS query message.
func dnsAnswer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	// Question: name labels, then type and class.
	i := 12
	var labels []string
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	question := q[12 : i+5]
	name := strings.ToLower(strings.Join(labels, "."))
	answer := qtype == 1 && name == backendName

	resp := make([]byte, 12, 64)
	copy(resp, q[:2])
	resp[2] = 0x84 | (q[2] & 0x01) // response, authoritative, copy RD
	resp[3] = 0x80                 // recursion available, no error
	binary.BigEndian.PutUint16(resp[4:], 1)
	if answer {
		binary.BigEndian.PutUint16(resp[6:], 1)
	}
	resp = append(resp, question...)
	if answer {
		resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1)
	}
	return resp
}
