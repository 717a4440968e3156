package modej.tasks.train;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive operating-system lock ({@link FileChannel#tryLock}) on a {@code .lock} file, held by
 * one process at a time: on what one run writes ({@code pretrain.lock}, {@code <model>.lock}), on
 * one unit of an experiment ({@code OUT/locks/<unit>.lock}, claimed by the process that does it), or
 * on the files every process of an experiment may write ({@code OUT/locks/shared.lock}, waited for).
 * The file names its last holder (pid, host, when it took the lock); only the operating system's
 * lock says whether someone holds it now ({@link #held}). The operating system releases the lock
 * when the process ends, however it ends, so a killed run never leaves a stale lock. Lock files stay
 * (deleting one would let a process that opened it just before lock a file no one else sees), except
 * that {@link #acquire} removes what it created when the run wrote nothing else.
 *
 * <p>Within one JVM, {@code FileChannel} locks are not exclusive between threads, and closing any
 * channel of a file drops every lock the process holds on it; so this class remembers which files
 * this JVM holds and never opens a second channel on one of them.
 *
 * <p>On NFS the locks are POSIX locks served by the NFS lock manager (NFSv4, or NFSv3 with lockd);
 * a file system mounted with {@code nolock} gives every process the lock.
 */
public final class OutputLock implements AutoCloseable {

    /** Work done holding a lock taken with {@link #holding}. */
    public interface Guarded<T> {
        T run() throws IOException;
    }

    /** Lock files this JVM holds (absolute, normalized). */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private Path created; // the outermost folder acquire created, or null

    private OutputLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code file} (creating its folder) for a run's output, or fails with a one-line
     * {@link IllegalArgumentException}: the folder cannot be written, or another run holds the lock
     * ({@code what} names the output). Taking it first proves the output writable, before any work.
     */
    public static OutputLock acquire(Path file, String what) {
        Path dir = file.toAbsolutePath().getParent();
        Path created = null;
        for (Path d = dir; d != null && !Files.exists(d); d = d.getParent()) {
            created = d;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + what + ": cannot create the folder " + dir + " (" + reason(e) + ")");
        }
        Optional<OutputLock> l;
        try {
            l = tryAcquire(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + what + " in " + dir + " (" + reason(e) + ")");
        }
        if (l.isEmpty()) {
            String holder = holder(file);
            throw new IllegalArgumentException(what + " is in use by another run (" + (holder.isEmpty() ? "holder unknown" : holder)
                    + ", lock " + file + "); wait for it to finish or stop it");
        }
        l.get().created = created;
        return l.get();
    }

    /**
     * Locks {@code file} (creating its folder) if no process, this one included, holds it, recording
     * this process as its holder; empty if one does. For claims that are left to their holder.
     */
    public static Optional<OutputLock> tryAcquire(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                HELD.remove(key);
                return Optional.empty();
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((description() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return Optional.of(new OutputLock(key, channel, lock));
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                close(channel);
            }
            HELD.remove(key);
            if (e instanceof OverlappingFileLockException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Runs {@code work} holding {@code file}, waiting for it as long as another process (or thread)
     * holds it: for short writes that every process sharing a folder may make.
     */
    public static <T> T holding(Path file, Guarded<T> work) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        Files.createDirectories(key.getParent());
        while (!HELD.add(key)) { // another thread of this JVM holds it
            pause();
        }
        try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            return work.run();
        } finally {
            HELD.remove(key);
        }
    }

    /** Whether some process (this one included) holds {@code file} now; probes by locking it for an instant. */
    public static boolean held(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (!Files.exists(key)) {
            return false;
        }
        if (!HELD.add(key)) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(key, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } finally {
            HELD.remove(key);
        }
    }

    /** The last holder recorded in {@code file} ({@code pid N on HOST, since T}), or empty when none is. */
    public static String holder(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** This machine's name, with characters other than letters, digits, {@code _.-} as {@code _}. */
    public static String host() {
        return Host.NAME;
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /**
     * Releases the lock; the file keeps naming this process as its last holder. A lock taken with
     * {@link #acquire} for a run that wrote nothing (it stopped at a check) leaves nothing: the lock
     * file and the folders acquire created are deleted.
     */
    @Override
    public void close() {
        try {
            if (created != null && onlyLockIn(file.getParent())) {
                Files.delete(file);
                for (Path d = file.getParent(); d != null; d = d.getParent()) {
                    Files.deleteIfExists(d);
                    if (d.equals(created.toAbsolutePath().normalize())) {
                        break;
                    }
                }
            }
        } catch (IOException ignored) {
            // the lock is released below all the same
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        close(channel);
        HELD.remove(file);
    }

    private boolean onlyLockIn(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.allMatch(p -> p.getFileName().equals(file.getFileName()));
        }
    }

    /** pid, host and the time this process took the lock, as the lock file holds them. */
    private static String description() {
        return "pid " + ProcessHandle.current().pid() + " on " + host() + ", since " + Instant.now();
    }

    /** Looked up once: a host without a name in DNS can take seconds to answer. */
    private static final class Host {
        static final String NAME = lookup();

        private static String lookup() {
            try {
                return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "_");
            } catch (IOException e) {
                return "unknown-host";
            }
        }
    }

    /** Why an I/O operation failed, in words (a FileSystemException's message is often just the path). */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a lock");
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was written through it that matters
        }
    }
}
