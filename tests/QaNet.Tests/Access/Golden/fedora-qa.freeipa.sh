ipa hbacrule-add qanet-sysadmin-main '--desc=QaNet grant sysadmin-main: group sysadmin-main on host:bastion, host:lockbox, virthost:virthost-comm01, virthost:virthost-comm02, network:qa-clients'
ipa hbacrule-add-user qanet-sysadmin-main --groups=sysadmin-main
ipa hbacrule-add-host qanet-sysadmin-main --hosts=bastion.fedoraproject.org --hosts=beaker-client01 --hosts=beaker-client02 --hosts=lockbox01.qa.fedoraproject.org --hosts=taskotron-client01 --hosts=taskotron-client02 --hosts=taskotron-client03 --hosts=virthost-comm01 --hosts=virthost-comm02
ipa hbacrule-add-service qanet-sysadmin-main --hbacsvcs=sshd
ipa sudorule-add qanet-sysadmin-main-sudo --cmdcat=all --runasusercat=all --runasgroupcat=all '--desc=QaNet grant sysadmin-main: group sysadmin-main on host:bastion, host:lockbox, virthost:virthost-comm01, virthost:virthost-comm02, network:qa-clients'
ipa sudorule-add-user qanet-sysadmin-main-sudo --groups=sysadmin-main
ipa sudorule-add-host qanet-sysadmin-main-sudo --hosts=bastion.fedoraproject.org --hosts=beaker-client01 --hosts=beaker-client02 --hosts=lockbox01.qa.fedoraproject.org --hosts=taskotron-client01 --hosts=taskotron-client02 --hosts=taskotron-client03 --hosts=virthost-comm01 --hosts=virthost-comm02
ipa hbacrule-add qanet-sysadmin-qa '--desc=QaNet grant sysadmin-qa: group sysadmin-qa on virthost:virthost-comm01, virthost:virthost-comm02, network:qa-clients'
ipa hbacrule-add-user qanet-sysadmin-qa --groups=sysadmin-qa
ipa hbacrule-add-host qanet-sysadmin-qa --hosts=beaker-client01 --hosts=beaker-client02 --hosts=taskotron-client01 --hosts=taskotron-client02 --hosts=taskotron-client03 --hosts=virthost-comm01 --hosts=virthost-comm02
ipa hbacrule-add-service qanet-sysadmin-qa --hbacsvcs=sshd
ipa sudorule-add qanet-sysadmin-qa-sudo --cmdcat=all --runasusercat=all --runasgroupcat=all '--desc=QaNet grant sysadmin-qa: group sysadmin-qa on virthost:virthost-comm01, virthost:virthost-comm02, network:qa-clients'
ipa sudorule-add-user qanet-sysadmin-qa-sudo --groups=sysadmin-qa
ipa sudorule-add-host qanet-sysadmin-qa-sudo --hosts=beaker-client01 --hosts=beaker-client02 --hosts=taskotron-client01 --hosts=taskotron-client02 --hosts=taskotron-client03 --hosts=virthost-comm01 --hosts=virthost-comm02
ipa hbacrule-add qanet-sysadmin-qa-bastion '--desc=QaNet grant sysadmin-qa-bastion: group sysadmin-qa on host:bastion'
ipa hbacrule-add-user qanet-sysadmin-qa-bastion --groups=sysadmin-qa
ipa hbacrule-add-host qanet-sysadmin-qa-bastion --hosts=bastion.fedoraproject.org
ipa hbacrule-add-service qanet-sysadmin-qa-bastion --hbacsvcs=sshd
ipa hbacrule-add qanet-qa-automation-shell '--desc=QaNet grant qa-automation-shell: group qa-automation-shell on host:bastion'
ipa hbacrule-add-user qanet-qa-automation-shell --groups=qa-automation-shell
ipa hbacrule-add-host qanet-qa-automation-shell --hosts=bastion.fedoraproject.org
ipa hbacrule-add-service qanet-qa-automation-shell --hbacsvcs=sshd
