# The demo pretraining with FSDP2: weights, gradients and optimizer state
# sharded over the ranks, one shard unit per transformer block, activation
# checkpointing per block; checkpoints are sharded directories.
#   tools/dist_train.sh configs/demo/motionmae_vit-tiny_demo_fsdp.py 2
_base_ = ['./motionmae_vit-tiny_demo.py']

strategy = dict(type='FSDP2')
