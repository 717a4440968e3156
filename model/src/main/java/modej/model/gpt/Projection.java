package modej.model.gpt;

import modej.model.lora.LoraSlot;
import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Matmul;
import modej.engine.kernel.Scale;

/**
 * A layer's linear projection {@code out = inp·Wᵀ + b}, optionally with a LoRA adapter
 * {@code + scale·(inp·Aᵀ)·Bᵀ}. The adapter's hidden activation {@code h = scale·inp·Aᵀ} (rows, r)
 * is kept for backward.
 */
final class Projection {

    private Projection() {
    }

    /**
     * The LoRA buffers of one projection: forward's hidden h, and two scratch buffers shared by the
     * layers: {@code dhidden}, and {@code dhiddenRaw}, which holds inp·Aᵀ before scaling in forward
     * and its gradient in backward.
     */
    record LoraBuffers(Buffer.F32 hidden, Buffer.F32 dhidden, Buffer.F32 dhiddenRaw) {
        static LoraBuffers of(String name, int rows, int rank, Buffer.F32 dhidden, Buffer.F32 dhiddenRaw) {
            return new LoraBuffers(new Buffer.F32(name + ".lora_h", rows * rank), dhidden, dhiddenRaw);
        }
    }

    /**
     * Records the forward projection named {@code target} (its slices are {@code target.weight},
     * {@code target.bias}); {@code lora} and {@code buffers} are null when there is no adapter.
     */
    static void forward(Graph g, String name, LayerSlot w, String target, Buffer.F32 out, Buffer.F32 inp,
                        int rows, int C, int OC, LoraSlot lora, LoraBuffers buffers) {
        g.task(name, rows, Matmul::forward, out, inp, w.slab().params(),
                i32(w.offset(target + ".weight")), i32(w.offset(target + ".bias")), i32(C), i32(OC));
        if (lora != null && lora.adapts(target)) {
            int r = lora.rank();
            Buffer.F32 params = lora.slab().params();
            // raw = inp · Aᵀ (rows, r) in the scratch, h = scale · raw, then out += h · Bᵀ. Not in place
            // (h = scale · h): TornadoVM 5.2 cannot schedule a task that gets one array twice.
            g.task(name + ".lora_a", rows, Matmul::forward, buffers.dhiddenRaw(), inp, params,
                    i32(lora.offsetA(target)), i32(-1), i32(C), i32(r));
            g.task(name + ".lora_scale", rows * r, Scale::forward, buffers.hidden(), buffers.dhiddenRaw(),
                    f32(lora.scale()));
            g.task(name + ".lora_b", rows, Matmul::forwardAccumulate, out, buffers.hidden(), params,
                    i32(lora.offsetB(target)), i32(r), i32(OC));
        }
    }

    /**
     * Records the backward projection: parameter gradients when the slab (or adapter) is
     * trainable, and {@code dinp += dout·W (+ adapter path)}. {@code dinp} is zeroed first.
     */
    static void backward(Graph g, String name, LayerSlot w, String target, Buffer.F32 dinp, Buffer.F32 dout,
                         Buffer.F32 inp, int rows, int C, int OC, LoraSlot lora, LoraBuffers buffers) {
        if (w.trainable()) {
            g.task(name + ".dparams", OC, Matmul::backwardParams, w.slab().grads(),
                    i32(w.offset(target + ".weight")), i32(w.offset(target + ".bias")), dout, inp, i32(rows), i32(C),
                    i32(OC));
        }
        TransformerLayer.zero(g, name + ".dinp.zero", dinp);
        g.task(name + ".dinp", rows, Matmul::backwardInput, dinp, dout, w.slab().params(),
                i32(w.offset(target + ".weight")), i32(C), i32(OC));
        if (lora != null && lora.adapts(target)) {
            int r = lora.rank();
            Buffer.F32 params = lora.slab().params();
            boolean train = lora.slab().trainable();
            // out += h·Bᵀ: dB += doutᵀ·h, dh = dout·B
            if (train) {
                g.task(name + ".lora_b.dparams", OC, Matmul::backwardParams, lora.slab().grads(),
                        i32(lora.offsetB(target)), i32(-1), dout, buffers.hidden(), i32(rows), i32(r), i32(OC));
            }
            TransformerLayer.zero(g, name + ".lora_dh.zero", buffers.dhidden());
            g.task(name + ".lora_b.dinp", rows, Matmul::backwardInput, buffers.dhidden(), dout, params,
                    i32(lora.offsetB(target)), i32(r), i32(OC));
            // h = scale·(inp·Aᵀ): d(inp·Aᵀ) = scale·dh
            TransformerLayer.zero(g, name + ".lora_dhraw.zero", buffers.dhiddenRaw());
            g.task(name + ".lora_scale.backward", rows * r, Scale::backward, buffers.dhiddenRaw(),
                    buffers.dhidden(), f32(lora.scale()));
            if (train) {
                g.task(name + ".lora_a.dparams", r, Matmul::backwardParams, lora.slab().grads(),
                        i32(lora.offsetA(target)), i32(-1), buffers.dhiddenRaw(), inp, i32(rows), i32(C), i32(r));
            }
            g.task(name + ".lora_a.dinp", rows, Matmul::backwardInput, dinp, buffers.dhiddenRaw(), params,
                    i32(lora.offsetA(target)), i32(C), i32(r));
        }
    }
}
