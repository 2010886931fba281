# Copyright (c) OpenMMLab. All rights reserved.
# CRW-style propagation (ajabri/videowalk test.py) with the ViT settings
# CropMAE/SiamMAE-style papers use ("the ones used in the paper" in
# alexandre-eymael/CropMAE downstreams/propagation): 20 previous frames with
# the queue pre-filled by the first frame, Euclidean window (distance < 20
# patches) on the recent frames only, first frame unrestricted, top-7,
# temperature 0.7, frames resized to 480x880, bilinear label resizing, no
# min-max. CRW's own ResNet command used topk 10, radius 12, T 0.05.
_base_ = ['./davis2017_label_propagation.py']

frames = dict(fixed_size=(480, 880))

propagation = dict(
    n_last_frames=20,
    topk=7,
    temperature=0.7,
    radius=20,
    window='circle',
    restrict_first_frame=False,
    pad_with_first=True)

labels = dict(downsample='bilinear', upsample='direct', norm_mask=False)
