package modej.model.param;

/**
 * AdamW hyper-parameters that stay fixed for a run (the learning rate and step change every step
 * and travel in 1-element buffers instead). Defaults as GPT-2 / llm.c / the PyTorch peer.
 */
public record AdamWSettings(float beta1, float beta2, float eps, float weightDecay) {

    public static final AdamWSettings DEFAULT = new AdamWSettings(0.9f, 0.95f, 1e-8f, 0.1f);

    public AdamWSettings {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("eps must be > 0 and weightDecay >= 0, got " + eps + ", " + weightDecay);
        }
    }
}
