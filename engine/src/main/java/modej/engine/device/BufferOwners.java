package modej.engine.device;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import modej.engine.graph.Buffer;

/**
 * Where the newest copy of each buffer is, for a backend made of several backends with memories
 * of their own ({@link ComposedBackend}), and the copies that keep them coherent. Each member
 * backend keeps its own device copy and its own {@code toDevice}/{@code toHost} protocol; this
 * class speaks that protocol on the members' behalf:
 * <ul>
 *   <li>Graphs do not say which buffers they write, so a graph run on member M is taken to have
 *   written every buffer it uses: afterwards M holds the only current copy ("M owns it"). Graphs
 *   that run at the same time are independent, so a buffer that graphs on two members use in one
 *   concurrent stage is only read there and stays current everywhere it was.</li>
 *   <li>Before a graph runs on M, each of its buffers owned by another member N comes through the
 *   host: {@code N.toHost(b)}, then {@code M.toDevice(b)} (M uploads it before its run). A buffer
 *   whose current copy is the host's and which M has not seen since goes with {@code M.toDevice(b)}.</li>
 *   <li>The host's {@code toDevice(b)} tells every member (each uploads before its next run that
 *   uses b); its {@code toHost(b)} asks the owner, if any.</li>
 *   <li>{@link #closeAll}: every owned buffer comes home, then every member is told the host is
 *   newest, so that closing a member never writes back a stale copy.</li>
 * </ul>
 * Not thread-safe: the composed backend calls it from the thread that runs a stage, before and
 * after the members run.
 */
final class BufferOwners {

    /** One buffer's state. */
    static final class State {
        /** Weak: the map's key; an executable that uses the buffer holds it. */
        private final java.lang.ref.WeakReference<Buffer> ref;
        /** The member holding the only current copy, or -1: the host's copy is current. */
        int owner = -1;
        /** Bit m: member m's copy is current, or m will upload the host's before its next run. */
        long current;

        State(Buffer buffer) {
            this.ref = new java.lang.ref.WeakReference<>(buffer);
        }

        Buffer buffer() {
            return ref.get();
        }
    }

    private final List<Backend> members;
    /** Buffers are equal only to themselves; held weakly, so a dropped graph's buffers are not kept alive here. */
    private final Map<Buffer, State> states = new WeakHashMap<>();
    private long movedBytes, moves;

    BufferOwners(List<Backend> members) {
        if (members.size() > 64) {
            throw new IllegalArgumentException("at most 64 member backends, got " + members.size());
        }
        this.members = List.copyOf(members);
    }

    /** The state of {@code b}, made on first use. */
    State of(Buffer b) {
        return states.computeIfAbsent(b, State::new);
    }

    /** Before member {@code m} runs a graph that uses these buffers: bring each one's current copy to it. */
    void acquire(State[] used, int m) {
        long bit = 1L << m;
        for (State s : used) {
            if (s.owner == m) {
                continue;
            }
            if (s.owner >= 0) {
                Buffer b = s.buffer();
                members.get(s.owner).toHost(b);
                s.current = 1L << s.owner;
                s.owner = -1;
                movedBytes += 4L * b.length();
                moves++;
            }
            if ((s.current & bit) == 0) {
                members.get(m).toDevice(s.buffer());
                s.current |= bit;
            }
        }
    }

    /** After member {@code m} ran a graph with these buffers: it may have written each, so it owns them. */
    void ranOn(State[] used, int m) {
        for (State s : used) {
            s.owner = m;
            s.current = 1L << m;
        }
    }

    /** The host wrote {@code b}: every member uploads it before its next run that uses it. */
    void hostWrote(Buffer b) {
        State s = states.get(b);
        for (Backend member : members) {
            member.toDevice(b);
        }
        if (s != null) {
            s.owner = -1;
            s.current = members.size() == 64 ? -1L : (1L << members.size()) - 1;
        }
    }

    /** The host is about to read {@code b}: its owner, if any, copies it home. */
    void hostReads(Buffer b) {
        State s = states.get(b);
        if (s != null && s.owner >= 0) {
            members.get(s.owner).toHost(b);
            s.current = 1L << s.owner;
            s.owner = -1;
        }
    }

    /** The member owning {@code b}, or -1 when the host's copy is current (or no graph used it). */
    int owner(Buffer b) {
        State s = states.get(b);
        return s == null ? -1 : s.owner;
    }

    /** Buffers copied from one member to another through the host so far: bytes (4 per element) and count. */
    long movedBytes() {
        return movedBytes;
    }

    long moves() {
        return moves;
    }

    /** Brings every owned buffer home and tells every member that the host's copies are current. */
    void closeAll() {
        Buffer[] buffers = states.keySet().toArray(Buffer[]::new);
        for (Buffer b : buffers) {
            State s = states.get(b);
            if (s.owner >= 0) {
                members.get(s.owner).toHost(b);
                s.owner = -1;
            }
        }
        for (Backend member : members) {
            member.toDevice(buffers);
        }
    }
}
