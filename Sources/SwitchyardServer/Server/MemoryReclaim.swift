#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Gives the heap memory a burst of load freed back to the system once the gateway is quiet again.
///
/// glibc's malloc keeps freed memory in its arenas (one per allocating thread, up to eight per core) and on
/// its own returns only what lies at the very top of a heap, so after a burst the resident size stays at
/// the burst's peak although almost none of it is in use. Measured with `bench/streams.sh` (release build,
/// 5,000 concurrent streams): 316 MiB resident 80 s after the burst with 6 MiB of it allocated, and
/// `malloc_trim(0)` (taking 30 ms) brought it to 84 MiB; with this running, 9,980 streams left 110-114 MiB
/// 100 s after the burst (peak 500-600 MiB) where it stayed at the peak before.
///
/// So every `interval` this compares the process's CPU time with the last look. The first interval under
/// `quietShare` of one core after a busier one trims at once; while it stays quiet it trims again after
/// 30 s, and then after twice as long each time a trim gave back less than `worthwhile` (up to 10 min), so
/// memory freed later (idle provider connections closing after the pool's idle timeout) is returned too.
/// A trim takes the arenas' locks in turn, which is why it only runs when the process is quiet.
///
/// Linux with glibc only (`malloc_trim` is looked up at run time); elsewhere `run` returns at once.
public enum MemoryReclaim {
    /// Runs until the task is cancelled.
    public static func run(
        logger: Logger, interval: Duration = .seconds(5), quietShare: Double = 0.1,
        worthwhile: Int = 8 * 1024 * 1024
    ) async {
        #if os(Linux) && canImport(Glibc)
        guard let trim = mallocTrim() else {
            logger.debug("malloc_trim is not available; freed memory stays with the allocator")
            return
        }
        var lastCPU = cpuSeconds()
        var lastLook = ContinuousClock.now
        var busySinceTrim = false
        var backoff = Duration.seconds(30)
        var nextTrim = ContinuousClock.now + backoff
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let now = ContinuousClock.now
            let cpu = cpuSeconds()
            let elapsed = Self.seconds(now - lastLook)
            let share = elapsed > 0 ? (cpu - lastCPU) / elapsed : 0
            (lastCPU, lastLook) = (cpu, now)
            guard share < quietShare else {
                busySinceTrim = true
                backoff = .seconds(30)
                continue
            }
            guard busySinceTrim || now >= nextTrim else { continue }
            let before = residentBytes()
            let started = ContinuousClock.now
            _ = trim(0)
            let took = ContinuousClock.now - started
            let after = residentBytes()
            let released = before.flatMap { before in after.map { before - $0 } } ?? 0
            if busySinceTrim || released >= worthwhile {
                backoff = .seconds(30)
            } else {
                backoff = min(backoff * 2, .seconds(600))
            }
            busySinceTrim = false
            nextTrim = ContinuousClock.now + backoff
            if released >= worthwhile {
                logger.debug(
                    "returned freed memory to the system",
                    metadata: [
                        "resident_mib_before": "\((before ?? 0) >> 20)", "resident_mib_after": "\((after ?? 0) >> 20)",
                        "trim_ms": "\(Self.seconds(took) * 1000)",
                    ])
            }
        }
        #endif
    }

    #if os(Linux) && canImport(Glibc)
    typealias TrimFunction = @convention(c) (Int) -> Int32

    /// glibc's `malloc_trim`, found at run time (musl and other C libraries have none).
    static func mallocTrim() -> TrimFunction? {
        guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: TrimFunction.self)
    }

    /// User plus system CPU time of the whole process, in seconds.
    static func cpuSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The process's resident size (`/proc/self/statm`, second field, in pages), or nil.
    static func residentBytes() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 128)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let fields = bytes[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }
    #endif

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
